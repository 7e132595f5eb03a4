namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// Plays the meter factory with openssl, as the interop tests need it: a throwaway manufacturer CA, IEEE 802.1AR-style
/// IDevIDs it signs (not CAs, digitalSignature), and the SHA-256 fingerprints a device manifest lists. Test-only keys,
/// made fresh in the test's own directory.
/// </summary>
public static class FactoryIdentities
{
    /// <summary>A P-256 manufacturer CA: <c>DIR/NAME.pem</c> and <c>DIR/NAME.key</c>.</summary>
    public static Task CreateManufacturerAsync(string directory, string name, string subject) =>
        ExternalProcess.RunCheckedAsync("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", Path.Combine(directory, name + ".key"), "-out", Path.Combine(directory, name + ".pem"), "-days", "3650", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");

    /// <summary>An IDevID <c>DIR/NAME.pem</c> / <c>DIR/NAME.key</c> with <paramref name="subject"/>, signed by <c>DIR/MANUFACTURER.pem</c>.</summary>
    public static async Task CreateIDevIdAsync(string directory, string manufacturer, string name, string subject)
    {
        string File(string file) => Path.Combine(directory, file);
        await ExternalProcess.RunCheckedAsync("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", File(name + ".key"), "-subj", subject, "-out", File(name + ".csr"));
        await System.IO.File.WriteAllTextAsync(File(name + ".ext"), "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n");
        await ExternalProcess.RunCheckedAsync("openssl", "x509", "-req", "-in", File(name + ".csr"), "-CA", File(manufacturer + ".pem"),
            "-CAkey", File(manufacturer + ".key"), "-CAcreateserial", "-days", "3650", "-extfile", File(name + ".ext"), "-out", File(name + ".pem"));
    }

    /// <summary>The certificate's SHA-256 as upper-case hex without colons (the manifest's idevid_sha256).</summary>
    public static async Task<string> FingerprintAsync(string certificatePem)
    {
        var line = (await ExternalProcess.RunCheckedAsync("openssl", "x509", "-in", certificatePem, "-noout", "-fingerprint", "-sha256")).StandardOutput.Trim();
        return line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Replace(":", "", StringComparison.Ordinal);
    }
}
