namespace AmiPki.Core.Revocation;

/// <summary>How far a bulk operation is: <see cref="Done"/> of <see cref="Total"/> in the current <see cref="Phase"/>.</summary>
public sealed record RevocationProgress(string Phase, long Done, long Total);
