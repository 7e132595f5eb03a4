namespace AmiPki.Keys.Tests.Pkcs11.Support;

/// <summary>A SoftHSM2 token initialised for the tests, and the directory SoftHSM2 keeps it in.</summary>
internal sealed record SoftHsmToken(string Label, string UserPin, string SoPin, string Directory);
