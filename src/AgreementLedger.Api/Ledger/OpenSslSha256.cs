using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AgreementLedger.Ledger;

/// <summary>
/// SHA-256 through OpenSSL's EVP digest called directly, one context a thread, re-initialised for each hash. The
/// platform's own path (<see cref="IncrementalHash"/>, <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>)
/// reaches the same library through a shim that clears OpenSSL's error queue on every call (sixteen slots freed each
/// time), three calls a hash: on this project's machine that cost 530–810 ns for the 65 bytes of a tree node, against
/// 180 ns here (docs/benchmarks.md). Only OpenSSL 3's public, non-deprecated calls are used, on the library .NET itself
/// loads on Linux; where it is missing or answers wrong on a known input, <see cref="Available"/> is false and
/// <see cref="Sha256"/> hashes the platform's way.
/// </summary>
internal static unsafe class OpenSslSha256
{
    private static readonly delegate* unmanaged<nint> NewContext;
    private static readonly delegate* unmanaged<nint, void> FreeContext;
    private static readonly delegate* unmanaged<nint, nint, nint, int> Init;
    private static readonly delegate* unmanaged<nint, byte*, nuint, int> Update;
    private static readonly delegate* unmanaged<nint, byte*, uint*, int> Final;
    private static readonly delegate* unmanaged<void> ClearErrors;

    /// <summary>OpenSSL's SHA-256, fetched once from its default providers.</summary>
    private static readonly nint Digest;

    [ThreadStatic]
    private static Context? context;

    /// <summary>Whether the direct path is in use: OpenSSL 3 found, and its answer on a known input checked.</summary>
    public static bool Available { get; }

    static OpenSslSha256()
    {
        if (!NativeLibrary.TryLoad("libcrypto.so.3", typeof(OpenSslSha256).Assembly, null, out var library))
        {
            return;
        }

        nint Export(string name) => NativeLibrary.TryGetExport(library, name, out var address) ? address : 0;
        var (fetch, newContext, freeContext, init, update, final, clear) = (Export("EVP_MD_fetch"), Export("EVP_MD_CTX_new"), Export("EVP_MD_CTX_free"),
            Export("EVP_DigestInit_ex2"), Export("EVP_DigestUpdate"), Export("EVP_DigestFinal_ex"), Export("ERR_clear_error"));
        if (fetch == 0 || newContext == 0 || freeContext == 0 || init == 0 || update == 0 || final == 0 || clear == 0)
        {
            return;
        }

        NewContext = (delegate* unmanaged<nint>)newContext;
        FreeContext = (delegate* unmanaged<nint, void>)freeContext;
        Init = (delegate* unmanaged<nint, nint, nint, int>)init;
        Update = (delegate* unmanaged<nint, byte*, nuint, int>)update;
        Final = (delegate* unmanaged<nint, byte*, uint*, int>)final;
        ClearErrors = (delegate* unmanaged<void>)clear;
        fixed (byte* name = "SHA256\0"u8)
        {
            Digest = ((delegate* unmanaged<nint, byte*, nint, nint>)fetch)(0, name, 0);
        }

        // A library that loads but answers otherwise than the platform (a different build, a provider that refuses) is not used.
        Span<byte> known = stackalloc byte[SHA256.HashSizeInBytes];
        Available = Digest != 0 && TryHash("abc"u8, known) && known.SequenceEqual(SHA256.HashData("abc"u8));
    }

    /// <summary>
    /// Writes SHA-256 of <paramref name="input"/> into the first 32 bytes of <paramref name="destination"/>; false, with
    /// nothing written that counts, when OpenSSL refused (its error queue is cleared again).
    /// </summary>
    public static bool TryHash(ReadOnlySpan<byte> input, Span<byte> destination)
    {
        if (Digest == 0 || destination.Length < SHA256.HashSizeInBytes)
        {
            return false;
        }

        var handle = (context ??= new Context(NewContext())).Handle;
        if (handle == 0)
        {
            return false;
        }

        uint written;
        fixed (byte* data = input)
        fixed (byte* hash = destination)
        {
            // Nothing awaits between the calls, so a thread's context is never shared.
            if (Init(handle, Digest, 0) == 1 && Update(handle, data, (nuint)input.Length) == 1 && Final(handle, hash, &written) == 1
                && written == SHA256.HashSizeInBytes)
            {
                return true;
            }
        }

        ClearErrors();
        return false;
    }

    /// <summary>A thread's digest context, freed once the thread (and with it the last reference) is gone.</summary>
    private sealed class Context(nint handle)
    {
        public nint Handle { get; } = handle;

        ~Context()
        {
            if (Handle != 0)
            {
                FreeContext(Handle);
            }
        }
    }
}
