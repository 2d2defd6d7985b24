using Restormer.Video;

namespace Restormer.Tests.Video;

/// <summary>The filter that gives piped frames their times back: runs of equal steps, searched as a binary tree.</summary>
public sealed class TimelineTests
{
    [Fact]
    public void ConstantRateIsOneLinearTerm() =>
        Assert.Equal("settb=1/1000,setpts='0+(N-0)*100'", Timeline.Of([0, 100, 200, 300]).SetptsFilter((1, 1000)));

    [Fact]
    public void AJumpStartsANewRun() =>
        Assert.Equal("settb=1/90000,setpts='if(lt(N,3),0+(N-0)*100,250+(N-3)*100)'", Timeline.Of([0, 100, 200, 250, 350, 450]).SetptsFilter((1, 90000)));

    [Fact]
    public void IrregularTimesAreATreeThatGivesEveryFrameItsTime()
    {
        long[] times = [0, 7, 9, 30, 31, 50, 90, 91, 200];
        var filter = Timeline.Of(times).SetptsFilter((1, 1000));
        var expression = filter[(filter.IndexOf('\'') + 1)..^1];
        for (int n = 0; n < times.Length; n++)
            Assert.Equal(times[n], Evaluate(expression, n));
    }

    [Fact]
    public void ASingleFrame() => Assert.Equal("settb=1/25,setpts='5+(N-0)*0'", Timeline.Of([5]).SetptsFilter((1, 25)));

    /// <summary>Evaluates the filter's subset of FFmpeg's expression language (if, lt, +, -, *, integers, N).</summary>
    private static long Evaluate(string text, long n)
    {
        int at = 0;
        long Sum()
        {
            long value = Product();
            while (at < text.Length && text[at] is '+' or '-')
            {
                char op = text[at++];
                long right = Product();
                value = op == '+' ? value + right : value - right;
            }
            return value;
        }
        long Product()
        {
            long value = Atom();
            while (at < text.Length && text[at] == '*') { at++; value *= Atom(); }
            return value;
        }
        long Atom()
        {
            if (text[at] == '(') { at++; long inner = Sum(); at++; return inner; }
            if (text[at] == 'N') { at++; return n; }
            if (text.AsSpan(at).StartsWith("if(")) { at += 3; long c = Sum(); at++; long a = Sum(); at++; long b = Sum(); at++; return c != 0 ? a : b; }
            if (text.AsSpan(at).StartsWith("lt(")) { at += 3; long a = Sum(); at++; long b = Sum(); at++; return a < b ? 1 : 0; }
            int start = at;
            while (at < text.Length && char.IsDigit(text[at])) at++;
            return long.Parse(text[start..at]);
        }
        return Sum();
    }
}
