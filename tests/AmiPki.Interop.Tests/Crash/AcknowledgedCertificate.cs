namespace AmiPki.Interop.Tests.Crash;

/// <summary>A certificate the server sent back to the client: an issuance it acknowledged, which no crash may lose.</summary>
public sealed record AcknowledgedCertificate(string SerialHex, string IssuerDn, byte[] Der);
