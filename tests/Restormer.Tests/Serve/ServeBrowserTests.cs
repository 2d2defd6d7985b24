using System.Diagnostics;
using OpenCvSharp;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace Restormer.Tests.Serve;

/// <summary>
/// The serve page end to end in headless Chromium (Debian's <c>chromium</c> and <c>chromium-driver</c>), driven by
/// Selenium: pick a photo, restore it, compare (mouse and keyboard), download; follow and cancel a long job. Without a
/// browser they are reported as skipped, with the packages to install.
/// </summary>
public class ServeBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Skips the calling [SkippableFact] through xunit when Chromium or its driver is missing.</summary>
    private static void RequireBrowser() =>
        Skip.IfNot(File.Exists(Chromium) && File.Exists(ChromeDriver),
            $"Browser test not run: needs {Chromium} and {ChromeDriver} (apt-get install chromium chromium-driver; .ci/run installs them).");

    [SkippableFact]
    public async Task PageRestoresAPhotoComparesItAndDownloadsThePng()
    {
        RequireBrowser();
        var watch = Stopwatch.StartNew();
        await using var test = await ServeTestServer.StartAsync();
        var photo = ServeTestServer.SmallPhoto();
        using var browser = StartChromium();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(90));
        var js = (IJavaScriptExecutor)browser;

        browser.Navigate().GoToUrl(test.Server.Address);
        wait.Until(b => b.FindElements(By.CssSelector("input[name=task]")).Count == 6);
        Assert.True(browser.FindElement(By.CssSelector("input[value=motion_deblurring]")).Selected);
        Assert.False(browser.FindElement(By.CssSelector("input[value=deraining]")).Enabled);
        Assert.Contains("missing: deraining.pth", browser.FindElement(By.Id("tasks")).Text);
        Assert.Contains(test.ModelsFolder, browser.FindElement(By.Id("missing")).Text);

        browser.FindElement(By.Id("file")).SendKeys(photo);
        browser.FindElement(By.Id("restore")).Click();
        wait.Until(_ => js.ExecuteScript(
            "const after = document.getElementById('after');" +
            "return !document.getElementById('compare').hidden && after.complete && after.naturalWidth > 0;") is true);
        Assert.Equal(96L, js.ExecuteScript("return document.getElementById('after').naturalWidth;"));
        Assert.Equal(64L, js.ExecuteScript("return document.getElementById('before').naturalHeight;"));
        Assert.StartsWith("Done in", browser.FindElement(By.Id("status-text")).Text);

        // The slider moves the before/after divider.
        js.ExecuteScript("const s = document.getElementById('slider'); s.value = 30; s.dispatchEvent(new Event('input'));");
        Assert.Equal("30%", js.ExecuteScript("return document.getElementById('compare').style.getPropertyValue('--pos');"));

        // With the keyboard: Tab from the Restore button reaches the (invisible) slider, whose focus shows on the picture.
        js.ExecuteScript("document.getElementById('restore').focus();");
        new Actions(browser).SendKeys(Keys.Tab).Perform();
        Assert.Equal("slider", js.ExecuteScript("return document.activeElement.id;"));
        Assert.Equal("solid", js.ExecuteScript("return getComputedStyle(document.getElementById('compare')).outlineStyle;"));
        new Actions(browser).SendKeys(Keys.ArrowRight).Perform();
        Assert.Equal("31%", js.ExecuteScript("return document.getElementById('compare').style.getPropertyValue('--pos');"));
        js.ExecuteScript("document.activeElement.blur();");

        var download = browser.FindElement(By.Id("download"));
        Assert.Equal("blurry photo-restored.png", download.GetAttribute("download"));
        var png = Convert.FromBase64String((string)js.ExecuteAsyncScript(
            "const done = arguments[arguments.length - 1];" +
            "fetch(document.getElementById('download').href).then(r => r.arrayBuffer()).then(buffer => {" +
            "  let text = ''; new Uint8Array(buffer).forEach(b => text += String.fromCharCode(b)); done(btoa(text)); });")!);
        Assert.Equal(PngSignature, png[..8]);
        using (var restored = Cv2.ImDecode(png, ImreadModes.Unchanged))
            Assert.Equal(new Size(96, 64), restored.Size());

        js.ExecuteScript("document.getElementById('slider').value = 50; document.getElementById('compare').style.setProperty('--pos', '50%');");
        SaveScreenshot(browser, "serve-page.png", readmeCopy: true);
        output.WriteLine($"Browser test: {watch.Elapsed.TotalSeconds:F1} s (server start, Chromium start, upload, restore, download).");
    }

    [SkippableFact]
    public async Task PageShowsTheProgressOfALongJobAndCancelsIt()
    {
        RequireBrowser();
        using var stopped = new ManualResetEventSlim();
        await using var test = await ServeTestServer.StartAsync(runner: ServeTestServer.RunsUntilCancelled(0.4, stopped));
        using var browser = StartChromium();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        var js = (IJavaScriptExecutor)browser;

        browser.Navigate().GoToUrl(test.Server.Address);
        wait.Until(b => b.FindElements(By.CssSelector("input[name=task]")).Count == 6);
        browser.FindElement(By.Id("file")).SendKeys(ServeTestServer.SmallPhoto());
        browser.FindElement(By.Id("restore")).Click();

        // The bar is labelled by the status line, which gives the percentage and, once the pace is known, the time left.
        const string label = "return document.getElementById('progress').labels[0].textContent;";
        wait.Until(_ => js.ExecuteScript(label) is string text && text.Contains("left"));
        Assert.StartsWith("Restoring 96×64: 40%, about ", (string)js.ExecuteScript(label)!);
        Assert.Equal(0.4, Convert.ToDouble(js.ExecuteScript("return document.getElementById('progress').value;")), 3);
        Assert.False(browser.FindElement(By.Id("restore")).Enabled);
        SaveScreenshot(browser, "serve-page-progress.png");

        browser.FindElement(By.Id("cancel")).Click();
        Assert.True(stopped.Wait(TimeSpan.FromSeconds(10)), "the running job was not cancelled");
        wait.Until(_ => js.ExecuteScript(label) is "Cancelled.");
        wait.Until(b => !b.FindElement(By.Id("cancel")).Displayed && b.FindElement(By.Id("restore")).Enabled);
        Assert.True((bool)js.ExecuteScript("return document.getElementById('progress').hidden;")!);
        await test.WaitForNoJobFoldersAsync(); // the cancelled job's files are gone
        Assert.Empty(browser.FindElements(By.CssSelector("#error:not([hidden])")));
    }

    private static ChromeDriver StartChromium()
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            "--window-size=1280,900", $"--user-data-dir={TestPaths.NewTempDir("chromium-profile")}");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Saves <c>TestResults/<paramref name="name"/></c>; with <c>RESTORMER_UPDATE_SCREENSHOT=1</c> the
    /// <paramref name="readmeCopy"/> is also the README's <c>docs/serve-page.png</c> (not by default, so test runs leave
    /// the working tree unchanged).
    /// </summary>
    private void SaveScreenshot(ChromeDriver browser, string name, bool readmeCopy = false)
    {
        // The whole page: grow the window to the document's height, at the top.
        var js = (IJavaScriptExecutor)browser;
        var (page, chrome) = ((long)js.ExecuteScript("return document.documentElement.scrollHeight;")!,
                              (long)js.ExecuteScript("return window.outerHeight - window.innerHeight;")!);
        browser.Manage().Window.Size = new System.Drawing.Size(1280, (int)(page + chrome));
        js.ExecuteScript("window.scrollTo(0, 0);");
        var screenshot = browser.GetScreenshot();
        var path = Path.Combine(TestPaths.RepoRoot, "TestResults", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        screenshot.SaveAsFile(path);
        output.WriteLine($"Screenshot: {path}");
        if (!readmeCopy || Environment.GetEnvironmentVariable("RESTORMER_UPDATE_SCREENSHOT") != "1") return;
        // The committed copy is scaled to 960 px wide, to keep the repository small.
        using var full = Cv2.ImDecode(screenshot.AsByteArray, ImreadModes.Color);
        using var small = full.Resize(new Size(960, full.Height * 960 / full.Width), interpolation: InterpolationFlags.Area);
        Cv2.ImWrite(Path.Combine(TestPaths.RepoRoot, "docs", "serve-page.png"), small, new ImageEncodingParam(ImwriteFlags.PngCompression, 9));
    }
}
