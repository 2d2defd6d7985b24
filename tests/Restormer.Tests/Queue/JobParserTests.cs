using Restormer.Queue;
using StackExchange.Redis;

namespace Restormer.Tests.Queue;

/// <summary>The one place where queue entries and job hashes become jobs: what it accepts and what it refuses.</summary>
public class JobParserTests
{
    private static HashEntry[] Hash(string? folder = null) =>
        new QueueJob { Id = "j", Model = "motion_deblurring", InputName = "a.png", SharedFolder = folder }.ToHash();

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef")]
    [InlineData("job-1_A")]
    public void IdsOfLettersDigitsDashAndUnderscoreAreAccepted(string id) => Assert.Null(JobParser.IdProblem(id));

    [Theory]
    [InlineData("")]
    [InlineData("../pwn")]
    [InlineData("a/b")]
    [InlineData("abc\n")] // a regular expression's '$' would let the newline through
    [InlineData("job:1:input")]
    [InlineData("é")]
    public void OtherIdsAreRefused(string id) => Assert.NotNull(JobParser.IdProblem(id));

    [Fact]
    public void IdsLongerThan64AreRefused()
    {
        Assert.Null(JobParser.IdProblem(new string('a', 64)));
        Assert.NotNull(JobParser.IdProblem(new string('a', 65)));
    }

    [Fact]
    public void AWellFormedJobHasNoProblem()
    {
        var job = JobParser.Job("j", Hash(), sharedFolder: null)!;
        Assert.Null(job.Problem);
        Assert.Equal("motion_deblurring", job.Model);
        Assert.Null(JobParser.Job("j", [], sharedFolder: null)); // no hash: no job
    }

    [Theory]
    [InlineData("/queue/shared", "/queue/shared/")]
    [InlineData("/queue/shared/", "/queue/shared")]
    [InlineData("/queue/./shared", "/queue/shared")]
    public void TheQueuesOwnFolderIsAcceptedHoweverItIsSpelled(string named, string allowed)
    {
        var job = JobParser.Job("j", Hash(named), allowed)!;
        Assert.Null(job.Problem);
        Assert.Equal("/queue/shared", job.SharedFolder);
    }

    [Theory]
    [InlineData("/queue/shared/..", "/queue/shared")]
    [InlineData("/queue/shared/sub", "/queue/shared")]
    [InlineData("relative/shared", "/queue/shared")]
    [InlineData("/queue/shared", null)]
    public void AnyOtherFolderMakesTheJobMalformedAndIsNotUsed(string named, string? allowed)
    {
        var job = JobParser.Job("j", Hash(named), allowed)!;
        Assert.NotNull(job.Problem);
        Assert.Null(job.SharedFolder); // nothing reads or deletes files there, not even a submitter
    }

    [Theory]
    [InlineData(1L << 50, "The memory budget must be from 1 byte to 1024 GiB")]
    [InlineData(-1L, "The memory budget must be from 1 byte to 1024 GiB")]
    [InlineData(4L << 30, null)]
    public void AJobsMemoryBudgetIsBoundedBothWays(long bytes, string? problem)
    {
        var hash = Hash().Select(field => field.Name == "options" ? new HashEntry("options", $"{{\"MemoryBudgetBytes\":{bytes}}}") : field).ToArray();
        var job = JobParser.Job("j", hash, sharedFolder: null)!;
        if (problem is null)
        {
            Assert.Null(job.Problem);
            Assert.Equal(bytes, job.Options.MemoryBudgetBytes);
        }
        else
            Assert.Contains(problem, job.Problem);
    }
}
