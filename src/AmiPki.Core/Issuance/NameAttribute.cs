namespace AmiPki.Core.Issuance;

/// <summary>One AttributeTypeAndValue of a distinguished name, its value decoded as text when it is a string type.</summary>
public sealed record NameAttribute(string Oid, string? Value);
