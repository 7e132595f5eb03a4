using System.Runtime.InteropServices;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11;
using AmiPki.Keys.Pkcs11.Interop;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>The private key value never leaves the token: asked through Cryptoki directly and through OpenSC's pkcs11-tool.</summary>
public sealed class Pkcs11KeyProtectionTests
{
    [TestCase(KeyAlgorithm.EcP256, "CKA_VALUE")]
    [TestCase(KeyAlgorithm.Rsa2048, "CKA_PRIVATE_EXPONENT")]
    public void Private_key_is_generated_on_the_token_sensitive_and_never_extractable(KeyAlgorithm algorithm, string secretAttribute)
    {
        var secret = Enum.Parse<CkAttributeType>(secretAttribute);
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var label = SoftHsm.UniqueLabel("prot");
        using var key = provider.Generate(label, algorithm);
        var id = Pkcs11Uri.Parse(key.KeyReference).Id!.Value.ToArray();

        provider.Pool.Execute(session =>
        {
            var module = provider.Pool.Module;
            var handle = FindPrivateKey(module, session.Handle, id);
            Assert.Multiple(() =>
            {
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_TOKEN), Is.True, "CKA_TOKEN");
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_PRIVATE), Is.True, "CKA_PRIVATE");
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_SENSITIVE), Is.True, "CKA_SENSITIVE");
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_EXTRACTABLE), Is.False, "CKA_EXTRACTABLE");
                // Set by the token itself (v2.40 §4.9): never anything but sensitive and unextractable, and made on the token.
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_ALWAYS_SENSITIVE), Is.True, "CKA_ALWAYS_SENSITIVE");
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_NEVER_EXTRACTABLE), Is.True, "CKA_NEVER_EXTRACTABLE");
                Assert.That(module.GetAttributeBool(session.Handle, handle, CkAttributeType.CKA_LOCAL), Is.True, "CKA_LOCAL");
                Assert.That(module.TryGetAttribute(session.Handle, handle, secret, out var value), Is.EqualTo(CkRv.CKR_ATTRIBUTE_SENSITIVE));
                Assert.That(value, Is.Null);
            });
            return 0;
        }, retryAfterReconnect: false);
    }

    [Test]
    public void Pkcs11_tool_cannot_read_the_private_key_value()
    {
        using var provider = SoftHsm.Provider(SoftHsm.Main);
        var label = SoftHsm.UniqueLabel("tool");
        using var key = provider.Generate(label, KeyAlgorithm.EcP256);
        var idHex = Convert.ToHexString(Pkcs11Uri.Parse(key.KeyReference).Id!.Value.Span);
        var output = Path.Combine(SoftHsm.Root, $"extracted-{label}.bin");

        var read = ExternalTool.Run(SoftHsm.Pkcs11Tool,
            "--module", SoftHsm.ModulePath, "--token-label", SoftHsm.Main.Label, "--login", "--pin", SoftHsm.Main.UserPin,
            "--read-object", "--type", "privkey", "--id", idHex, "--output-file", output);

        // OpenSC either refuses (non-zero exit) or reports that it cannot read private keys; in no case
        // may a key value come out, on stdout or in the output file.
        TestContext.Out.WriteLine($"pkcs11-tool --read-object --type privkey: {read}");
        Assert.That(File.Exists(output) ? new FileInfo(output).Length : 0, Is.Zero, "pkcs11-tool wrote private key bytes");
        Assert.That(read.StandardOutput.Trim(), Is.Empty, "pkcs11-tool printed a value");
        Assert.That(read.ExitCode != 0 || read.StandardError.Contains("not (yet) supported", StringComparison.Ordinal), Is.True, read.ToString());

        // What the token tells any Cryptoki client about the object.
        var list = ExternalTool.Run(SoftHsm.Pkcs11Tool,
            "--module", SoftHsm.ModulePath, "--token-label", SoftHsm.Main.Label, "--login", "--pin", SoftHsm.Main.UserPin,
            "--list-objects", "--type", "privkey", "--id", idHex);
        Assert.That(list.ExitCode, Is.Zero, list.ToString());
        Assert.That(list.StandardOutput, Does.Contain(label));
        Assert.That(list.StandardOutput, Does.Contain("Access:     sensitive, always sensitive, never extractable, local"), list.ToString());
    }

    private static CULong FindPrivateKey(Pkcs11Module module, CULong session, byte[] id)
    {
        var template = new CkAttributeTemplate()
            .Add(CkAttributeType.CKA_CLASS, CkObjectClass.CKO_PRIVATE_KEY)
            .Add(CkAttributeType.CKA_ID, id);
        var found = module.FindObjects(session, template, 2);
        Assert.That(found, Has.Count.EqualTo(1));
        return found[0];
    }
}
