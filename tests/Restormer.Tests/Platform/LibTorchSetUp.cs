using System.Runtime.CompilerServices;
using Restormer.Platform;

namespace Restormer.Tests.Platform;

/// <summary>
/// Tests compute with libtorch directly too (a plain convolution block, optimiser steps), not only through a network:
/// the platform check runs before any of them, as the library runs it before its first convolution.
/// </summary>
internal static class LibTorchSetUp
{
    [ModuleInitializer]
    internal static void CheckLibTorch() => _ = LibTorchGuard.Status;
}
