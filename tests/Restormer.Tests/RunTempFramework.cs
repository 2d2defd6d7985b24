using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestFramework("Restormer.Tests.RunTempFramework", "Restormer.Tests")]

namespace Restormer.Tests;

/// <summary>
/// xunit's own framework, plus the deletion of the run's temporary folder (<see cref="TestPaths.RunTemp"/>) when the
/// run ends: the test host is often ended by the runner without the process-exit event, so the framework's disposal
/// is the one place every run passes through.
/// </summary>
public sealed class RunTempFramework : XunitTestFramework
{
    public RunTempFramework(IMessageSink sink) : base(sink) =>
        DisposalTracker.Add(new RunTempDeletion());

    private sealed class RunTempDeletion : IDisposable
    {
        public void Dispose() => TestPaths.TryDelete(TestPaths.RunTemp);
    }
}
