using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Revocation;
using AmiPki.Protocols.Tests.Crl;
using NUnit.Framework;

namespace AmiPki.Protocols.Tests.Ocsp;

/// <summary>The OCSP and CRL endpoints as the host maps them, over a loopback Kestrel.</summary>
public sealed class OcspHttpTests
{
    private RevocationTestBed _bed = null!;
    private HttpClient _client = null!;
    private X509Certificate2 _meter = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _bed = await RevocationTestBed.CreateAsync();
        _meter = await _bed.IssueMeterAsync("4D4D4D0000000201");
        await _bed.StartHttpAsync();
        _client = new HttpClient { BaseAddress = _bed.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _bed.DisposeAsync();
    }

    [Test]
    public async Task POST_answers_with_the_RFC_5019_caching_headers()
    {
        using var content = new ByteArrayContent(OcspTestClient.Request(_bed.Ca("issuing-s1").Certificate, _meter));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
        using var response = await _client.PostAsync("/ocsp", content);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/ocsp-response"));
        var parsed = OcspTestClient.Parse(await response.Content.ReadAsByteArrayAsync());
        Assert.That(parsed.Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        Assert.That(response.Content.Headers.LastModified, Is.EqualTo(parsed.Responses.Single().ThisUpdate));
        Assert.That(response.Headers.ETag, Is.Not.Null);
        var cache = response.Headers.CacheControl!;
        Assert.That((cache.Public, cache.NoTransform, cache.MustRevalidate), Is.EqualTo((true, true, true)));
        // A good answer may be revoked at any moment: caches get the short bound (default 60 s), not nextUpdate (4 h).
        Assert.That(parsed.Responses.Single().NextUpdate!.Value - parsed.Responses.Single().ThisUpdate, Is.GreaterThan(TimeSpan.FromHours(1)));
        Assert.That(cache.MaxAge, Is.GreaterThan(TimeSpan.Zero).And.LessThanOrEqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(response.Content.Headers.Expires, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow.AddSeconds(61)));
    }

    [Test]
    public async Task A_revoked_answer_is_cacheable_until_nextUpdate_and_a_revalidation_with_its_ETag_is_304()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000203");
        var path = "/ocsp/" + Uri.EscapeDataString(Convert.ToBase64String(OcspTestClient.Request(_bed.Ca("issuing-s1").Certificate, meter)));
        using (var good = await _client.GetAsync(path))
        {
            Assert.That(good.Headers.CacheControl!.MaxAge, Is.LessThanOrEqualTo(TimeSpan.FromSeconds(60)));
        }
        // Committed in storage only, as another process would: the next GET must say revoked.
        await _bed.Storage.Revocations.RevokeAsync("issuing-s1", [Convert.ToHexString(meter.SerialNumberBytes.Span)],
            new RevocationInfo(RevocationReason.KeyCompromise, DateTimeOffset.UtcNow, null), "other-process", null, CancellationToken.None);
        using var response = await _client.GetAsync(path);
        var single = OcspTestClient.Parse(await response.Content.ReadAsByteArrayAsync()).Responses.Single();
        Assert.That(single.Status, Is.EqualTo(CertificateStatus.Revoked));
        Assert.That(response.Headers.CacheControl!.MaxAge, Is.GreaterThan(TimeSpan.FromHours(3)));
        Assert.That(response.Content.Headers.Expires, Is.EqualTo(single.NextUpdate));

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, path);
        revalidate.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var notModified = await _client.SendAsync(revalidate);
        Assert.That(notModified.StatusCode, Is.EqualTo(HttpStatusCode.NotModified));
        Assert.That(await notModified.Content.ReadAsByteArrayAsync(), Is.Empty);
        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var full = await _client.SendAsync(stale);
        Assert.That(full.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task GET_with_percent_encoding_and_raw_base64_gives_the_same_answer()
    {
        var request = OcspTestClient.Request(_bed.Ca("issuing-s1").Certificate, _meter);
        var base64 = Convert.ToBase64String(request);
        var encoded = await _client.GetByteArrayAsync("/ocsp/" + Uri.EscapeDataString(base64));
        var raw = await _client.GetByteArrayAsync(new Uri(_bed.BaseAddress!, "/ocsp/" + base64));
        Assert.That(OcspTestClient.Parse(encoded).Responses.Single().Status, Is.EqualTo(CertificateStatus.Good));
        Assert.That(raw, Is.EqualTo(encoded));
    }

    [Test]
    public async Task Garbage_is_HTTP_200_with_malformedRequest()
    {
        using var response = await _client.PostAsync("/ocsp", new ByteArrayContent([1, 2, 3]));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(OcspTestClient.Parse(await response.Content.ReadAsByteArrayAsync()).Status, Is.EqualTo((int)TestStatus.MalformedRequest));
        using var get = await _client.GetAsync("/ocsp/not-base64!");
        Assert.That(OcspTestClient.Parse(await get.Content.ReadAsByteArrayAsync()).Status, Is.EqualTo((int)TestStatus.MalformedRequest));
    }

    [Test]
    public async Task An_oversized_body_is_malformedRequest_without_reading_it_all()
    {
        using var response = await _client.PostAsync("/ocsp", new ByteArrayContent(new byte[1024 * 1024]));
        Assert.That(OcspTestClient.Parse(await response.Content.ReadAsByteArrayAsync()).Status, Is.EqualTo((int)TestStatus.MalformedRequest));
    }

    [Test]
    public async Task CRLs_are_served_as_pkix_crl_complete_and_delta()
    {
        using var full = await _client.GetAsync("/crl/issuing-s1.crl");
        Assert.That(full.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(full.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/pkix-crl"));
        Assert.That(full.Headers.ETag, Is.Not.Null);
        var fullCrl = CrlReader.Read(await full.Content.ReadAsByteArrayAsync());
        Assert.That(fullCrl.DeltaBase, Is.Null);
        using var delta = await _client.GetAsync("/crl/issuing-s1-delta.crl");
        Assert.That(delta.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(CrlReader.Read(await delta.Content.ReadAsByteArrayAsync()).DeltaBase, Is.Not.Null);
        using var missing = await _client.GetAsync("/crl/nobody.crl");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_revocation_through_the_service_reaches_OCSP_at_once_and_the_CRL_within_seconds()
    {
        var meter = await _bed.IssueMeterAsync("4D4D4D0000000202");
        var request = OcspTestClient.Request(_bed.Ca("issuing-s1").Certificate, meter);
        var service = (Core.Revocation.RevocationService)_bed.Services!.GetService(typeof(RevocationService))!;
        await service.RevokeAsync([new SerialReference(null, meter.SerialNumber)], RevocationReason.CessationOfOperation, null, "test", null,
            CancellationToken.None);
        using var content = new ByteArrayContent(request);
        using var response = await _client.PostAsync("/ocsp", content);
        var single = OcspTestClient.Parse(await response.Content.ReadAsByteArrayAsync()).Responses.Single();
        Assert.That((single.Status, single.Reason), Is.EqualTo((CertificateStatus.Revoked, (RevocationReason?)RevocationReason.CessationOfOperation)));

        // Bounded wait (not a timing assertion): the publisher rebuilds after its debounce.
        for (var attempt = 0; attempt < 120; attempt++)
        {
            var crl = CrlReader.Read(await _client.GetByteArrayAsync("/crl/issuing-s1.crl"));
            if (crl.Entries.Any(e => e.SerialHex == meter.SerialNumber))
            {
                return;
            }
            await Task.Delay(250);
        }
        Assert.Fail("the complete CRL never listed the revoked certificate");
    }
}
