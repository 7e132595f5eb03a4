using AmiPki.Core.Credentials;

namespace AmiPki.Server.Admin;

/// <summary>A credential just stored, with its secret when AmiPki generated it (shown once, never stored in clear).</summary>
/// <param name="Secret">The generated secret (EST, CMP) or challenge password (SCEP); null when the admin supplied it.</param>
public sealed record CreatedCredential(EnrollmentCredential Credential, string? Secret);
