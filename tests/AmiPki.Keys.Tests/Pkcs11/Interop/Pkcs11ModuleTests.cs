using System.Runtime.InteropServices;
using System.Text;
using AmiPki.Keys.Pkcs11.Interop;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11.Interop;

/// <summary>The raw binding against SoftHSM2's real module, without the provider on top.</summary>
public sealed class Pkcs11ModuleTests
{
    [Test]
    public void Loads_SoftHSM2_and_finds_the_test_token_by_label()
    {
        var module = Pkcs11Module.Acquire(SoftHsm.ModulePath);
        try
        {
            Assert.That(module.CryptokiVersion.Major, Is.GreaterThanOrEqualTo(2));
            var labels = module.GetSlotList(tokenPresent: true).Select(slot => module.GetTokenInfo(slot)).ToList();
            var token = labels.Single(info => info.LabelText == SoftHsm.Main.Label);
            Assert.That(token.Flags.Value & (nuint)CkFlags.CKF_TOKEN_INITIALIZED, Is.Not.Zero);
            Assert.That(token.Flags.Value & (nuint)CkFlags.CKF_USER_PIN_INITIALIZED, Is.Not.Zero);
            Assert.That(token.SerialNumberText, Is.Not.Empty);
        }
        finally
        {
            module.Release();
        }
    }

    [Test]
    public void Login_reports_CKR_PIN_INCORRECT_then_succeeds_with_the_right_PIN()
    {
        var module = Pkcs11Module.Acquire(SoftHsm.ModulePath);
        try
        {
            var slot = module.GetSlotList(true).Single(s => module.GetTokenInfo(s).LabelText == SoftHsm.Main.Label);
            var session = module.OpenSession(slot);
            try
            {
                var error = Assert.Throws<Pkcs11CallException>(() => module.Login(session, "wrong"u8));
                Assert.That(error!.ReturnValue, Is.EqualTo(CkRv.CKR_PIN_INCORRECT));
                Assert.That(error.Function, Is.EqualTo("C_Login"));

                module.Login(session, Encoding.UTF8.GetBytes(SoftHsm.Main.UserPin));
                // Login state is per application: a second login is not an error for us.
                module.Login(session, Encoding.UTF8.GetBytes(SoftHsm.Main.UserPin));
                module.Logout(session);
            }
            finally
            {
                Assert.That(module.CloseSession(session), Is.EqualTo(CkRv.CKR_OK));
            }
        }
        finally
        {
            module.Release();
        }
    }

    [Test]
    public void Calls_on_a_closed_session_report_CKR_SESSION_HANDLE_INVALID()
    {
        var module = Pkcs11Module.Acquire(SoftHsm.ModulePath);
        try
        {
            var slot = module.GetSlotList(true).Single(s => module.GetTokenInfo(s).LabelText == SoftHsm.Main.Label);
            var session = module.OpenSession(slot);
            module.CloseSession(session);

            var error = Assert.Throws<Pkcs11CallException>(() => module.FindObjects(session, new CkAttributeTemplate(), 1));
            Assert.That(error!.ReturnValue, Is.EqualTo(CkRv.CKR_SESSION_HANDLE_INVALID));
        }
        finally
        {
            module.Release();
        }
    }

    [Test]
    public void Acquire_is_shared_and_the_last_release_finalizes()
    {
        var first = Pkcs11Module.Acquire(SoftHsm.ModulePath);
        var second = Pkcs11Module.Acquire(SoftHsm.ModulePath);
        Assert.That(second, Is.SameAs(first));
        first.Release();
        // Still initialised for the second user.
        Assert.That(second.GetSlotList(true), Is.Not.Empty);
        second.Release();

        Assert.That(second.FinalizeBehindUsersBacks(), Is.EqualTo(CkRv.CKR_CRYPTOKI_NOT_INITIALIZED));
    }
}
