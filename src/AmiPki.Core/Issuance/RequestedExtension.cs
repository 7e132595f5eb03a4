namespace AmiPki.Core.Issuance;

/// <summary>An extension a CSR asks for; the profile decides whether it is honoured.</summary>
public sealed record RequestedExtension(string Oid, bool Critical, byte[] Value);
