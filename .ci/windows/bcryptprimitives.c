/* A stand-in for Windows 10's bcryptprimitives.dll, for the Wine test prefix only (never shipped): libvips' GLib asks
   it for ProcessPrng, which Wine 8.0 lacks, and hangs without it. The random bytes come from RtlGenRandom. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0)
    {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
