using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>
/// Creates the SoftHSM2 environment once for every test in this namespace. A missing softhsm2, opensc or
/// openssl makes every test here FAIL with how to install them: these tests are the only proof the
/// HSM path works, so they must never quietly skip.
/// </summary>
[SetUpFixture]
public sealed class Pkcs11TestSetup
{
    [OneTimeSetUp]
    public void SetUp() => SoftHsm.SetUp();

    [OneTimeTearDown]
    public void TearDown() => SoftHsm.TearDown();
}
