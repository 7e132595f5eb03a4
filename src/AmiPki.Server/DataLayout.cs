namespace AmiPki.Server;

/// <summary>Where things live inside a data directory.</summary>
public sealed class DataLayout
{
    public DataLayout(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    public string Database => Path.Combine(Root, "amipki.db");

    /// <summary>Software-provider key files (encrypted PKCS#8, 0600).</summary>
    public string Keys => Path.Combine(Root, "keys");

    /// <summary>AmiPki's own TLS server certificate and key.</summary>
    public string Tls => Path.Combine(Root, "tls");

    /// <summary>Manufacturer trust anchors (IDevID CAs).</summary>
    public string ManufacturerAnchors => Path.Combine(Root, "trust", "manufacturers");

    public void Create()
    {
        Directory.CreateDirectory(Root);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
