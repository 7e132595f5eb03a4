using AmiPki.Keys.Pkcs11;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

public sealed class Pkcs11UriTests
{
    [Test]
    public void Formats_token_object_and_id_with_every_id_byte_percent_encoded()
    {
        var uri = new Pkcs11Uri("amipki-online", "issuing-s1", new byte[] { 0x01, 0x02, 0xAB });

        Assert.That(uri.ToString(), Is.EqualTo("pkcs11:token=amipki-online;object=issuing-s1;id=%01%02%AB"));
    }

    [Test]
    public void Percent_encodes_reserved_and_non_ASCII_label_characters_as_UTF8()
    {
        var uri = new Pkcs11Uri("AmiPki Root;CA", "clé/1", null);

        Assert.That(uri.ToString(), Is.EqualTo("pkcs11:token=AmiPki%20Root%3BCA;object=cl%C3%A9%2F1"));
        var parsed = Pkcs11Uri.Parse(uri.ToString());
        Assert.That((parsed.Token, parsed.Object), Is.EqualTo(("AmiPki Root;CA", "clé/1")));
    }

    [TestCase("pkcs11:token=t;object=k;id=%01%02")]
    [TestCase("PKCS11:object=k")]
    [TestCase("pkcs11:id=%FF;type=private")]
    [TestCase("pkcs11:object=issuing%2Ds1;token=t")]
    public void Parses_what_RFC_7512_allows(string text)
    {
        var uri = Pkcs11Uri.Parse(text);

        Assert.That(uri.Object is not null || uri.Id is not null, Is.True);
        Assert.That(Pkcs11Uri.Parse(uri.ToString()).ToString(), Is.EqualTo(uri.ToString()), "canonical form is stable");
    }

    [Test]
    public void A_reference_without_id_has_no_id()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:token=t;object=k");

        Assert.That(uri.Id, Is.Null);
        Assert.That(uri.ToString(), Is.EqualTo("pkcs11:token=t;object=k"));
    }

    [Test]
    public void Decodes_id_bytes_and_allows_unencoded_sub_delimiters()
    {
        var uri = Pkcs11Uri.Parse("pkcs11:object=a:b@c(1)+2=3;id=%00%7f");

        Assert.That(uri.Object, Is.EqualTo("a:b@c(1)+2=3"));
        Assert.That(uri.Id!.Value.ToArray(), Is.EqualTo(new byte[] { 0x00, 0x7F }));
    }

    [TestCase("software:issuing", "must start with 'pkcs11:'")]
    [TestCase("pkcs11:token=t", "names no key")]
    [TestCase("pkcs11:object=a;object=b", "appears more than once")]
    [TestCase("pkcs11:object=a;serial=1234", "'serial' is not supported")]
    [TestCase("pkcs11:object=a?pin-value=1234", "query attributes are not accepted")]
    [TestCase("pkcs11:object=a%2", "bad percent-encoding")]
    [TestCase("pkcs11:object=a%zz", "bad percent-encoding")]
    [TestCase("pkcs11:object=a b", "must be percent-encoded")]
    [TestCase("pkcs11:object=%FF%FE", "not valid UTF-8")]
    [TestCase("pkcs11:object", "not an attribute=value pair")]
    public void Refuses_malformed_or_unsupported_references(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => Pkcs11Uri.Parse(text));

        Assert.That(error!.Message, Does.Contain(reason));
        Assert.That(Pkcs11Uri.TryParse(text, out var uri), Is.False);
        Assert.That(uri, Is.Null);
    }
}
