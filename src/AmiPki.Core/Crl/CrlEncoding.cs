namespace AmiPki.Core.Crl;

/// <summary>A signed DER CRL and how many entries it holds.</summary>
public sealed record CrlEncoding(byte[] Der, int EntryCount);
