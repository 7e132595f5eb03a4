using AmiPki.Core.Keys;

namespace AmiPki.Core.Authorities;

/// <summary>One CA the initializer creates: name, subject, key algorithm, validity, and its parent (null: a root).</summary>
public sealed record CaDefinition(string Name, string CommonName, KeyAlgorithm Algorithm, int ValidityYears, string? Parent, int? PathLength);
