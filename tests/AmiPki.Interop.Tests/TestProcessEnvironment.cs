using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests;

/// <summary>
/// Runtimes opened inside the test process read <c>AMIPKI_KEY_PASSPHRASE</c> before their options, and `make test`
/// exports the development passphrase: set the test passphrase for the whole run, so in-process runtimes open the keys
/// that <c>amipki init</c> (run with <see cref="AmiPkiServer.Environment"/>) encrypted, whatever order the tests run in.
/// </summary>
[SetUpFixture]
public sealed class TestProcessEnvironment
{
    [OneTimeSetUp]
    public void UseTheTestPassphrase() => Environment.SetEnvironmentVariable("AMIPKI_KEY_PASSPHRASE", AmiPkiServer.TestKeyPassphrase);
}
