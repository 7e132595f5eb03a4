using System.Security.Cryptography;
using System.Text;

namespace AmiPki.Core.Approvals;

/// <summary>
/// The id of a pending request: SHA-256 over protocol, profile, requester identity and the DER CSR. Binding the
/// requester means nobody else can collect the certificate by replaying the CSR; binding the CSR means a changed request
/// is a new request that needs its own approval.
/// </summary>
public static class PendingRequestId
{
    public static string Compute(string protocol, string profile, string requester, ReadOnlySpan<byte> csrDer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var part in new[] { protocol, profile, requester })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            hash.AppendData(BitConverter.GetBytes(bytes.Length));
            hash.AppendData(bytes);
        }
        hash.AppendData(csrDer);
        // 20 hex digits (80 bits) are plenty to name a request and short enough to type at `amipki requests approve`.
        return Convert.ToHexString(hash.GetHashAndReset())[..20].ToLowerInvariant();
    }
}
