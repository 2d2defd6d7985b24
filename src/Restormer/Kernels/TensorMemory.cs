using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Restormer.Kernels;

/// <summary>Raw access to a contiguous CPU tensor's elements for the kernels, which index it themselves.</summary>
internal static unsafe class TensorMemory
{
    /// <summary>The address of element 0. The tensor must be contiguous, on the CPU, and stay alive while it is used.</summary>
    public static byte* Address(Tensor tensor)
    {
        if (!tensor.is_contiguous())
            throw new ArgumentException("The kernels need contiguous tensors.", nameof(tensor));
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
    }
}
