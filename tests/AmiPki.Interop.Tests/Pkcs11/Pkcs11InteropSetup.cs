namespace AmiPki.Interop.Tests.Pkcs11;

/// <summary>
/// Creates the SoftHSM2 environment once for the tests in this namespace. Missing softhsm2 or opensc makes them FAIL with
/// how to install them: they are the only proof that the HSM path works end to end, so they never quietly skip.
/// </summary>
[SetUpFixture]
public sealed class Pkcs11InteropSetup
{
    [OneTimeSetUp]
    public void SetUp() => SoftHsm.SetUp();

    [OneTimeTearDown]
    public void TearDown() => SoftHsm.TearDown();
}
