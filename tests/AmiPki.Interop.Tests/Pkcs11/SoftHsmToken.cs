namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>A SoftHSM2 token initialised for one test, with its user PIN.</summary>
internal sealed record SoftHsmToken(string Label, string UserPin);
