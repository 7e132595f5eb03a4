using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text;
using AmiPki.Core.Approvals;
using AmiPki.Interop.Tests.Support;
using AmiPki.Storage.Sqlite.Approvals;

namespace AmiPki.Interop.Tests.Api;

/// <summary>
/// The admin REST API of a real <c>amipki serve</c>, over HTTPS with client certificates the test CA issued under the
/// admin-* profiles (and, for refusals, none, a foreign one and a non-admin one): roles, problem details, bulk operations
/// with progress, CSV import, credentials, audit of every call, and /metrics counting an issuance.
/// </summary>
public sealed class AdminApiTests
{
    private AmiPkiServer _server = null!;
    private readonly Dictionary<string, X509Certificate2> _certificates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HttpClient> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pendingIds = new(StringComparer.Ordinal);

    private HttpClient Administrator => _clients["administrator"];

    private HttpClient Operator => _clients["operator"];

    private HttpClient Auditor => _clients["auditor"];

    [OneTimeSetUp]
    public async Task Start()
    {
        _server = await AmiPkiServer.StartAsync(https: true, beforeServe: async data =>
        {
            foreach (var role in new[] { "administrator", "operator", "auditor" })
            {
                _certificates[role] = await ApiClients.IssueAsync(data, $"admin-{role}", $"api-test-{role}");
            }
            _certificates["not-admin"] = await ApiClients.IssueAsync(data, "hes-client", "api-test-not-admin");
            _certificates["revoke-target"] = await ApiClients.IssueAsync(data, "hes-client", "api-test-revoke-target");
            _certificates["auditor-target"] = await ApiClients.IssueAsync(data, "hes-client", "api-test-auditor-target");
            _certificates["hold-target"] = await ApiClients.IssueAsync(data, "hes-client", "api-test-hold-target");
            // Two requests held for approval, as EST would record them for a manual-approval profile.
            await using var pending = await SqlitePendingRequestStore.OpenAsync(Path.Combine(data, "amipki.db"), CancellationToken.None);
            foreach (var name in new[] { "approve-me", "reject-me" })
            {
                using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var csr = new CertificateRequest($"CN={name}.example", key, HashAlgorithmName.SHA256).CreateSigningRequest();
                var id = PendingRequestId.Compute("est", "hes-client", $"account:{name}", csr);
                _pendingIds[name] = id;
                await pending.SubmitAsync(new PendingRequest(id, "est", "hes-client", $"account:{name}", $"CN={name}.example", csr, null, null,
                    PendingRequestState.Pending, DateTimeOffset.UtcNow), CancellationToken.None);
            }
        });
        foreach (var name in new[] { "administrator", "operator", "auditor", "not-admin" })
        {
            _clients[name] = ApiClients.Create(_server.HttpsBase, _server.RootPemPath, _certificates[name]);
        }
        _clients["none"] = ApiClients.Create(_server.HttpsBase, _server.RootPemPath, null);
        _clients["foreign"] = ApiClients.Create(_server.HttpsBase, _server.RootPemPath, ApiClients.Foreign("api-test-foreign"));
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
        foreach (var certificate in _certificates.Values)
        {
            certificate.Dispose();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Test]
    public async Task Without_a_client_certificate_the_answer_is_401_problem_details()
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(_clients["none"], HttpMethod.Get, "/api/v1/certificates");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), body?.ToJsonString());
        Assert.That(mediaType, Is.EqualTo("application/problem+json"));
        Assert.That((int?)body?["status"], Is.EqualTo(401));
        Assert.That((string?)body?["detail"], Does.Contain("client certificate"));
        // RFC 9110 §15.5.2: a 401 carries a challenge; the scheme names client-certificate authentication.
        var (_, _, _, response) = await ApiClients.SendAsync(_clients["foreign"], HttpMethod.Get, "/api/v1/certificates");
        Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Certificate realm=\"AmiPki admin\""));
        (_, _, _, response) = await ApiClients.SendAsync(_clients["none"], HttpMethod.Get, "/api/v1/cas");
        Assert.That(response.Headers.WwwAuthenticate.Select(h => h.Scheme), Is.EqualTo(new[] { "Certificate" }));
    }

    [Test]
    public async Task A_certificate_AmiPki_did_not_issue_is_401()
    {
        var (status, _, body, _) = await ApiClients.SendAsync(_clients["foreign"], HttpMethod.Get, "/api/v1/certificates");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), body?.ToJsonString());
        Assert.That((string?)body?["detail"], Does.Contain("not issued by this CA"));
    }

    [Test]
    public async Task A_certificate_of_a_non_admin_profile_is_403()
    {
        var (status, _, body, _) = await ApiClients.SendAsync(_clients["not-admin"], HttpMethod.Get, "/api/v1/certificates");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
        Assert.That((string?)body?["detail"], Does.Contain("hes-client").And.Contain("no admin role"));
    }

    [Test]
    public async Task An_auditor_reads_but_a_write_is_403_and_changes_nothing()
    {
        var target = _certificates["auditor-target"];
        var (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, $"/api/v1/certificates/issuing-s1/{target.SerialNumber}");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((string?)body?["status"], Is.EqualTo("issued"));

        (status, var mediaType, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, $"/api/v1/certificates/issuing-s1/{target.SerialNumber}/revoke",
            ApiClients.Json("""{"reason":"keyCompromise"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
        Assert.That(mediaType, Is.EqualTo("application/problem+json"));
        Assert.That((string?)body?["detail"], Does.Contain("role auditor").And.Contain("operator"));

        (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, "/api/v1/credentials/est-accounts",
            ApiClients.Json("""{"name":"auditor-made","profiles":["hes-client"]}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());

        (_, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, $"/api/v1/certificates/issuing-s1/{target.SerialNumber}");
        Assert.That((string?)body?["status"], Is.EqualTo("issued"), "a refused write must change nothing");
        (_, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/credentials/est-accounts");
        Assert.That(body!.AsArray().Select(a => (string?)a?["name"]), Does.Not.Contain("auditor-made"));
    }

    [Test]
    public async Task An_administrator_revokes_a_certificate_and_the_published_CRL_lists_it()
    {
        var target = _certificates["revoke-target"];
        var (status, _, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, $"/api/v1/certificates/issuing-s1/{target.SerialNumber}/revoke",
            ApiClients.Json("""{"reason":"keyCompromise"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((int?)body?["changed"], Is.EqualTo(1));

        (_, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, $"/api/v1/certificates/{target.SerialNumber}");
        Assert.That((string?)body?["status"], Is.EqualTo("revoked"));
        Assert.That((string?)body?["revocation"]?["reason"], Is.EqualTo("keyCompromise"));

        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/crls/issuing-s1/publish");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        var crl = X509CertificateLoader.LoadCertificate(target.RawData); // the serial as openssl prints it
        var crlPath = Path.Combine(_server.DataDirectory, "api-published.crl.pem");
        await File.WriteAllTextAsync(crlPath, (string)body!["full"]!["pem"]!);
        var listed = await ExternalProcess.RunAsync("openssl", "crl", "-in", crlPath, "-noout", "-text");
        Assert.That(listed.StandardOutput, Does.Contain(crl.SerialNumber).And.Contain("Key Compromise"), listed.Describe());
    }

    [Test]
    public async Task An_operator_revokes_one_but_bulk_revocation_needs_an_administrator()
    {
        var (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/certificates/bulk-revoke",
            ApiClients.Json("""{"selection":{"profile":"hes-server"}}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
        Assert.That((string?)body?["detail"], Does.Contain("administrator"));

        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/certificates/issuing-s1/0BADC0FFEE/revoke", ApiClients.Json("{}"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body?.ToJsonString());
    }

    [Test]
    public async Task An_operator_puts_a_certificate_on_hold_and_releases_it()
    {
        var path = $"/api/v1/certificates/issuing-s1/{_certificates["hold-target"].SerialNumber}";
        var (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, path + "/revoke", ApiClients.Json("""{"reason":"certificateHold"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        (_, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, path);
        Assert.That((string?)body?["status"], Is.EqualTo("on-hold"));

        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, path + "/release-hold");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((int?)body?["changed"], Is.EqualTo(1));
        (_, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, path);
        Assert.That((string?)body?["status"], Is.EqualTo("issued"));
        Assert.That(body?["revocation"], Is.Null);
    }

    [TestCase("/api/v1/certificates?limit=abc", "limit")]
    [TestCase("/api/v1/certificates?limit=5000", "limit")]
    [TestCase("/api/v1/certificates?status=lost", "status")]
    [TestCase("/api/v1/devices?offset=-1", "offset")]
    [TestCase("/api/v1/campaigns/DCU-1?state=lost", "state")]
    [TestCase("/api/v1/campaigns/DCU-1?limit=0", "limit")]
    [TestCase("/api/v1/audit?since=2030-01-01T00:00:00Z&until=2020-01-01T00:00:00Z", "until")]
    public async Task Bad_query_is_400_problem_details_naming_the_field(string path, string field)
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, path);
        AssertNamesField(status, mediaType, body, field);
    }

    [TestCase("/api/v1/certificates/issuing-s1/01/revoke", """{"reason":"lost-it"}""", "reason")]
    [TestCase("/api/v1/certificates/issuing-s1/01/revoke", """{"reason":"superseded","invalidityDate":"yesterday"}""", "invalidityDate")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{"selection":{}}""", "selection")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{}""", "serials")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{"serials":[{"serial":"not-hex"}]}""", "serials[0].serial")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{"serials":[{"serial":"01"},{"issuer":"nobody","serial":"02"}]}""", "serials[1].issuer")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{"selection":{"dcu":"DCU-1","issuer":"nobody"}}""", "selection.issuer")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"a:b","profiles":["hes-client"]}""", "name")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"bad-profile","profiles":["no-such-profile"]}""", "profiles")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"not-est","profiles":["network-device"]}""", "profiles")]
    [TestCase("/api/v1/credentials/cmp-references", """{"reference":"r-bad","profiles":["dcu"],"expiresIn":"soon"}""", "expiresIn")]
    [TestCase("/api/v1/credentials/scep-challenges", """{"profile":""}""", "profile")]
    public async Task Bad_body_is_400_problem_details_naming_the_field_and_changes_nothing(string path, string json, string field)
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, path, ApiClients.Json(json));
        AssertNamesField(status, mediaType, body, field);
        var (_, _, accounts, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/credentials/est-accounts");
        Assert.That(accounts!.AsArray().Select(a => (string?)a?["name"]), Does.Not.Contain("bad-profile").And.Not.Contain("not-est"));
    }

    [TestCase("/api/v1/certificates?limit=abc", "limit", "limit must be a whole number")]
    [TestCase("/api/v1/audit?since=yesterday", "since", "since must be a date and time in ISO 8601")]
    [TestCase("/api/v1/certificates?expiringBefore=soon", "expiringBefore", "expiringBefore must be a date and time in ISO 8601")]
    public async Task A_query_value_of_the_wrong_kind_is_explained_without_dotnet_type_names(string path, string field, string expected)
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, path);
        AssertNamesField(status, mediaType, body, field);
        Assert.That((string?)body!["errors"]![field]![0], Does.StartWith(expected), body.ToJsonString());
        AssertSpeaksToPeople(body);
    }

    [TestCase("/api/v1/certificates/issuing-s1/01/revoke", """{"reason":"superseded","invalidityDate":"yesterday"}""", "invalidityDate",
        "invalidityDate must be a date and time in ISO 8601")]
    [TestCase("/api/v1/certificates/issuing-s1/01/revoke", """{"reason":"superseded",""", "body", "the body is not valid JSON")]
    [TestCase("/api/v1/certificates/issuing-s1/01/revoke", """["superseded"]""", "body", "the body must be an object")]
    [TestCase("/api/v1/certificates/bulk-revoke", """{"serials":[{"serial":1}]}""", "serials[0].serial", "serials[0].serial must be a string")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"one-profile","profiles":"hes-client"}""", "profiles", "profiles must be an array of strings")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"flag","profiles":["hes-client"],"oneTime":"yes"}""", "oneTime", "oneTime must be true or false")]
    public async Task A_body_value_of_the_wrong_kind_is_explained_by_its_JSON_path(string path, string json, string field, string expected)
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, path, ApiClients.Json(json));
        AssertNamesField(status, mediaType, body, field);
        Assert.That((string?)body!["errors"]![field]![0], Does.StartWith(expected), body.ToJsonString());
        AssertSpeaksToPeople(body);
    }

    [TestCase("/api/v1/certificates/bulk-revoke", """{"selection":{"profile":"meter-s9"}}""", "selection.profile")]
    [TestCase("/api/v1/credentials/scep-challenges", """{"profile":"meter-s9"}""", "profile")]
    [TestCase("/api/v1/credentials/est-accounts", """{"name":"unknown-profile","profiles":["meter-s9"]}""", "profiles")]
    public async Task An_unknown_profile_name_lists_the_known_ones(string path, string json, string field)
    {
        var (status, mediaType, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, path, ApiClients.Json(json));
        AssertNamesField(status, mediaType, body, field);
        Assert.That((string?)body!["errors"]![field]![0], Does.StartWith("no profile named 'meter-s9' (known: admin-administrator").And.Contain("hes-client"),
            body.ToJsonString());
    }

    [Test]
    public async Task Bulk_revocation_runs_as_an_operation_with_progress_and_revokes_by_list_then_by_selection()
    {
        var secret = await CreateEstAccountAsync("bulk-enroller", "hes-server");
        var serials = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            serials.Add((await EnrollAsync("bulk-enroller", secret, "hes-server", $"bulk-{i}.example")).SerialNumber);
        }

        var list = new JsonArray(serials.Take(10).Select(s => (JsonNode)new JsonObject { ["serial"] = s }).ToArray());
        var operation = await RunOperationAsync(Administrator, "/api/v1/certificates/bulk-revoke",
            ApiClients.Json(new JsonObject { ["serials"] = list, ["reason"] = "cessationOfOperation" }.ToJsonString()));
        Assert.That((int?)operation["result"]?["changed"], Is.EqualTo(10), operation.ToJsonString());
        Assert.That((long?)operation["done"], Is.EqualTo((long?)operation["total"]));
        Assert.That((long?)operation["total"], Is.EqualTo(10));

        operation = await RunOperationAsync(Administrator, "/api/v1/certificates/bulk-revoke",
            ApiClients.Json("""{"selection":{"profile":"hes-server","issuer":"issuing-s1"},"reason":"superseded"}"""));
        Assert.That((int?)operation["result"]?["requested"], Is.EqualTo(24), operation.ToJsonString());
        Assert.That((int?)operation["result"]?["changed"], Is.EqualTo(14));
        Assert.That((long?)operation["done"], Is.EqualTo(14), "progress counts the certificates still to revoke");

        var (_, _, page, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/certificates?profile=hes-server&status=valid&limit=100");
        Assert.That(page!["items"]!.AsArray(), Is.Empty, "every hes-server certificate is revoked");
        (_, _, page, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/certificates?profile=hes-server&status=revoked&limit=10&offset=20");
        Assert.That(page!["items"]!.AsArray(), Has.Count.EqualTo(4), "paging: 24 revoked, the page from offset 20 holds 4");
        Assert.That(page["nextOffset"], Is.Null);
    }

    [Test]
    public async Task Device_manifest_import_runs_with_progress_and_a_bad_manifest_changes_nothing()
    {
        var csv = new StringBuilder("system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu,kind\n");
        for (var i = 0; i < 2500; i++)
        {
            csv.Append($"4150490000{i:X6},,SN-{i},acme,API-LOT,API-DCU-{i % 5},{(i % 10 == 7 ? "Gateway" : "meter")}\n");
        }
        var operation = await RunOperationAsync(Operator, "/api/v1/devices/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));
        Assert.That((string?)operation["kind"], Is.EqualTo("device-import"));
        Assert.That((int?)operation["result"]?["written"], Is.EqualTo(2500), operation.ToJsonString());
        Assert.That((long?)operation["done"], Is.EqualTo(2500));
        Assert.That((long?)operation["total"], Is.EqualTo(2500));

        var (status, _, page, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/devices?dcu=API-DCU-3&limit=1000");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page!["items"]!.AsArray(), Has.Count.EqualTo(500));
        (status, _, var device, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/devices/41504900000007");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), "a 14-digit title is not a device");
        (status, _, device, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/devices/4150490000000007");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((string?)device?["idevidSerial"], Is.EqualTo("SN-7"));
        Assert.That((string?)device?["kind"], Is.EqualTo("gateway"), "the kind column, lower-cased");
        (_, _, device, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/devices/4150490000000008");
        Assert.That((string?)device?["kind"], Is.EqualTo("meter"));

        // Line 3 is bad: nothing of the manifest is written, and the problem names the line.
        var bad = "system_title,idevid_sha256,idevid_serial,manufacturer,lot,dcu\n4150491111000001,,,acme,BAD-LOT,\nnot-a-title,,,acme,BAD-LOT,\n";
        var (badStatus, mediaType, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/devices/import",
            new StringContent(bad, Encoding.UTF8, "text/csv"));
        AssertNamesField(badStatus, mediaType, body, "line 3");
        (_, _, page, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/devices?lot=BAD-LOT");
        Assert.That(page!["items"]!.AsArray(), Is.Empty);

        (badStatus, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/devices/import", ApiClients.Json("{}"));
        Assert.That(badStatus, Is.EqualTo(HttpStatusCode.UnsupportedMediaType), body?.ToJsonString());
        (badStatus, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, "/api/v1/devices/import", new StringContent(bad, Encoding.UTF8, "text/csv"));
        Assert.That(badStatus, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
    }

    [Test]
    public async Task Enrollment_credentials_are_created_listed_without_secrets_and_deleted()
    {
        var (status, _, created, response) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, "/api/v1/credentials/cmp-references",
            ApiClients.Json("""{"reference":"api-ref-1","profiles":["dcu"],"expiresIn":"2d"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), created?.ToJsonString());
        Assert.That(response.Headers.Location?.ToString(), Does.EndWith("/api/v1/credentials/cmp-references/api-ref-1"));
        Assert.That((string?)created?["secret"], Has.Length.GreaterThanOrEqualTo(24));
        Assert.That((bool?)created?["oneTime"], Is.True);

        (status, _, var again, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, "/api/v1/credentials/cmp-references",
            ApiClients.Json("""{"reference":"api-ref-1","profiles":["dcu"]}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), again?.ToJsonString());

        (status, _, var challenge, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, "/api/v1/credentials/scep-challenges",
            ApiClients.Json("""{"profile":"network-device","expiresIn":"1h"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), challenge?.ToJsonString());
        Assert.That((string?)challenge?["secret"], Does.StartWith((string?)challenge?["name"] + "."));

        var (_, _, listed, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/credentials/cmp-references");
        var entry = listed!.AsArray().Single(c => (string?)c?["name"] == "api-ref-1");
        Assert.That(entry!["secret"], Is.Null, "a list never shows secrets");

        (status, _, _, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Delete, "/api/v1/credentials/cmp-references/api-ref-1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NoContent));
        (status, _, _, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Delete, "/api/v1/credentials/cmp-references/api-ref-1");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        (_, _, listed, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/credentials/cmp-references");
        Assert.That(listed!.AsArray().Select(c => (string?)c?["name"]), Does.Not.Contain("api-ref-1"));
    }

    [Test]
    public async Task Pending_requests_are_listed_approved_and_rejected_once()
    {
        var (status, _, listed, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/requests");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), listed?.ToJsonString());
        Assert.That(listed!.AsArray().Select(r => (string?)r?["id"]), Is.SupersetOf(_pendingIds.Values));
        Assert.That((string?)listed.AsArray().First(r => (string?)r?["id"] == _pendingIds["approve-me"])!["csrPem"], Does.StartWith("-----BEGIN CERTIFICATE REQUEST-----"));

        (status, _, var body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, $"/api/v1/requests/{_pendingIds["approve-me"]}/approve", ApiClients.Json("{}"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());

        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, $"/api/v1/requests/{_pendingIds["approve-me"]}/approve", ApiClients.Json("{}"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((string?)body?["state"], Is.EqualTo("approved"));
        Assert.That((string?)body?["decidedBy"], Does.StartWith("admin-api:api-test-operator/"));

        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, $"/api/v1/requests/{_pendingIds["reject-me"]}/reject",
            ApiClients.Json("""{"reason":"not on the installation plan"}"""));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((string?)body?["state"], Is.EqualTo("rejected"));
        Assert.That((string?)body?["reason"], Is.EqualTo("not on the installation plan"));

        (status, _, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, $"/api/v1/requests/{_pendingIds["reject-me"]}/approve", ApiClients.Json("{}"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Conflict), body?.ToJsonString());
        Assert.That((string?)body?["detail"], Does.Contain("already rejected"));

        (_, _, listed, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/requests?state=pending");
        Assert.That(listed!.AsArray().Select(r => (string?)r?["id"]), Does.Not.Contain(_pendingIds["approve-me"]).And.Not.Contain(_pendingIds["reject-me"]));
        (_, _, var audit, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/audit?kind=approval");
        Assert.That(audit!["items"]!.AsArray().Select(e => (string?)e?["outcome"]), Is.SupersetOf(new[] { "approved", "rejected" }));
    }

    [Test]
    public async Task CAs_CRLs_requests_and_audit_verification_are_readable()
    {
        var (status, _, cas, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/cas");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(cas!.AsArray().Select(c => (string?)c?["name"]), Is.SupersetOf(new[] { "root", "issuing-s1", "issuing-s2" }));
        (_, _, var root, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/cas/root");
        Assert.That((string?)root?["pem"], Does.StartWith("-----BEGIN CERTIFICATE-----"));

        (status, _, var crls, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/crls");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(crls!.AsArray().Select(c => (string?)c?["issuer"]), Does.Contain("issuing-s1"));
        Assert.That((long?)crls.AsArray().First()!["delta"]!["deltaBaseNumber"], Is.Not.Null);

        (status, _, var requests, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/requests?state=all");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), requests?.ToJsonString());
        (status, _, _, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/requests/0123456789abcdef/approve", ApiClients.Json("{}"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));

        (status, _, var verification, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/audit/verify");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((bool?)verification?["intact"], Is.True, verification?.ToJsonString());
        Assert.That((long?)verification?["entriesChecked"], Is.GreaterThan(0));
    }

    [Test]
    public async Task Every_call_is_audited_with_who_what_and_the_result()
    {
        var marker = Guid.NewGuid().ToString("N")[..8];
        await ApiClients.SendAsync(_clients["none"], HttpMethod.Get, $"/api/v1/cas?probe={marker}");
        await ApiClients.SendAsync(Auditor, HttpMethod.Post, $"/api/v1/crls/issuing-s1/publish?probe={marker}");
        await ApiClients.SendAsync(Auditor, HttpMethod.Get, $"/api/v1/cas?probe={marker}");

        var (status, _, page, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/audit?kind=admin-api&limit=1000");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        var entries = page!["items"]!.AsArray().Where(e => ((string?)e?["detail"])?.Contains(marker, StringComparison.Ordinal) == true).ToList();
        Assert.That(entries, Has.Count.EqualTo(3), page.ToJsonString());
        Assert.That((string?)entries[0]!["actor"], Does.StartWith("admin-api:anonymous"));
        Assert.That((string?)entries[0]!["outcome"], Is.EqualTo("refused"));
        Assert.That((string?)entries[0]!["detail"], Does.Contain("status=401"));
        Assert.That((string?)entries[1]!["actor"], Does.StartWith("admin-api:api-test-auditor/issuing-s1/"));
        Assert.That((string?)entries[1]!["detail"], Does.Contain("POST").And.Contain("status=403").And.Contain("role=auditor"));
        Assert.That((string?)entries[2]!["outcome"], Is.EqualTo("success"));
        Assert.That((string?)entries[2]!["detail"], Does.Contain("GET /api/v1/cas").And.Contain("status=200"));
    }

    [Test]
    public async Task Campaigns_and_jobs_are_readable_by_an_auditor_and_run_by_an_operator()
    {
        var (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/campaigns");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That(body, Is.InstanceOf<JsonArray>());
        (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/campaigns/-?state=due");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That(body?["items"], Is.InstanceOf<JsonArray>());

        (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, "/api/v1/campaigns/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/campaigns/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That(body?["scheduled"], Is.Not.Null, "the pass says what it did");

        (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/jobs");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        var before = body!.AsArray().Single(j => (string?)j?["name"] == "crl-publication")!;
        (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Post, "/api/v1/jobs/crl-publication/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), body?.ToJsonString());
        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/jobs/crl-publication/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        Assert.That((string?)body?["lastOutcome"], Is.EqualTo("success"), body?.ToJsonString());
        Assert.That((long)body!["runs"]!, Is.EqualTo((long)before["runs"]! + 1));
        (status, _, body, _) = await ApiClients.SendAsync(Operator, HttpMethod.Post, "/api/v1/jobs/no-such-job/run");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), body?.ToJsonString());
        Assert.That((string?)body?["detail"], Does.Contain("crl-publication"), "a refusal names the jobs there are");
    }

    [Test]
    public async Task Profiles_and_their_authorization_matrix_are_readable_by_an_auditor_and_an_unknown_one_is_404_listing_the_names()
    {
        var (status, _, body, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/profiles");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body?.ToJsonString());
        var profiles = body!.AsArray();
        Assert.That(profiles.Select(p => (string?)p?["name"]), Is.Ordered.And.SupersetOf(new[] { "dcu", "hes-server", "meter-s1-tls", "network-device" }));
        Assert.That(profiles, Has.Count.EqualTo(Directory.GetFiles(RepositoryPaths.Profiles, "*.json").Length));
        var hesServer = profiles.Single(p => (string?)p?["name"] == "hes-server")!;
        Assert.That(hesServer["factoryCertificateProtocols"]!.AsArray(), Is.Empty, "hes-server has no factoryCertificate rule");
        Assert.That((bool?)hesServer["renewal"]?["revokeSuperseded"], Is.False);

        (status, _, var meter, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/profiles/meter-s1-tls");
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), meter?.ToJsonString());
        Assert.That(meter!["issuers"]!.AsArray().Select(i => (string?)i), Is.EqualTo(new[] { "issuing-s1" }));
        Assert.That(meter["keyAlgorithms"]!.AsArray().Select(a => (string?)a), Is.EqualTo(new[] { "ecP256" }));
        Assert.That((string?)meter["subject"], Is.EqualTo("dlmsSystemTitle"));
        var coaps = meter["protocols"]!.AsArray().Single(p => (string?)p?["protocol"] == "est-coaps")!;
        Assert.That((bool?)coaps["renewable"], Is.True);
        var factory = coaps["rules"]!.AsArray().Single(r => (string?)r?["requester"] == "factoryCertificate")!;
        Assert.That((string?)factory["subject"], Is.EqualTo("systemTitle"));
        Assert.That(factory["deviceKinds"]!.AsArray().Select(k => (string?)k), Is.EqualTo(new[] { "meter" }));
        Assert.That((string?)factory["description"], Is.EqualTo("factory certificate of a registered meter; CN = registered system title"));

        (status, var mediaType, var missing, _) = await ApiClients.SendAsync(Auditor, HttpMethod.Get, "/api/v1/profiles/meter-s9");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound), missing?.ToJsonString());
        Assert.That(mediaType, Is.EqualTo("application/problem+json"));
        Assert.That((string?)missing?["detail"], Does.Contain("no profile named 'meter-s9' (known: admin-administrator").And.Contain("meter-s1-tls"));

        (status, _, _, _) = await ApiClients.SendAsync(_clients["not-admin"], HttpMethod.Get, "/api/v1/profiles");
        Assert.That(status, Is.EqualTo(HttpStatusCode.Forbidden), "a certificate of a non-admin profile reads no profiles");
    }

    [Test]
    public async Task Metrics_are_Prometheus_text_and_count_an_issuance()
    {
        using var http = new HttpClient { BaseAddress = new Uri(_server.HttpBase) };
        var before = PrometheusText.Parse(await http.GetStringAsync("/metrics"));
        var labels = new[] { ("profile", "hes-client"), ("protocol", "est"), ("issuer", "issuing-s1") };
        var issuedBefore = PrometheusText.ValueOf(before, "amipki_certificates_issued_total", labels);
        var latencyBefore = PrometheusText.ValueOf(before, "amipki_issuance_duration_seconds_count", ("profile", "hes-client"), ("protocol", "est"));

        var secret = await CreateEstAccountAsync("metrics-enroller", "hes-client");
        await EnrollAsync("metrics-enroller", secret, "hes-client", "metrics.example");

        using var response = await http.GetAsync("/metrics");
        Assert.That(response.Content.Headers.ContentType?.ToString(), Does.StartWith("text/plain; version=0.0.4"));
        var after = PrometheusText.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(PrometheusText.ValueOf(after, "amipki_certificates_issued_total", labels), Is.EqualTo(issuedBefore + 1));
        Assert.That(PrometheusText.ValueOf(after, "amipki_issuance_duration_seconds_count", ("profile", "hes-client"), ("protocol", "est")),
            Is.EqualTo(latencyBefore + 1));
        var families = after.Select(s => s.Name).ToHashSet();
        Assert.That(families, Does.Contain("amipki_admin_api_requests_total"));
        var text = await http.GetStringAsync("/metrics");
        foreach (var family in new[] { "amipki_certificates_revoked_total", "amipki_ocsp_responses_total", "amipki_dtls_sessions_established_total",
                     "amipki_jobs_runs_total", "amipki_jobs_failures_total", "amipki_issuance_duration_seconds" })
        {
            Assert.That(text, Does.Contain($"# TYPE {family} "), $"{family} is exported");
        }
    }

    private static void AssertNamesField(HttpStatusCode status, string? mediaType, JsonNode? body, string field)
    {
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body?.ToJsonString());
        Assert.That(mediaType, Is.EqualTo("application/problem+json"));
        Assert.That((int?)body?["status"], Is.EqualTo(400));
        var errors = body?["errors"]?.AsObject();
        Assert.That(errors, Is.Not.Null, body?.ToJsonString());
        Assert.That(errors!.Select(e => e.Key), Does.Contain(field), body!.ToJsonString());
    }

    /// <summary>A problem for people: no .NET type names, no C# parameter names, no serializer internals.</summary>
    private static void AssertSpeaksToPeople(JsonNode body)
    {
        var texts = new List<string> { (string?)body["detail"] ?? "" };
        texts.AddRange(body["errors"]!.AsObject().SelectMany(e => e.Value!.AsArray().Select(m => (string?)m ?? "")));
        foreach (var text in texts)
        {
            foreach (var leak in new[] { "System.", "Nullable", "AmiPki.", "Failed to bind", "\"request\"", " request\"", "could not be converted", "LineNumber", "Int32" })
            {
                Assert.That(text, Does.Not.Contain(leak), body.ToJsonString());
            }
        }
    }

    /// <summary>POSTs, expects 202 with a Location to the operation, and polls it until it finishes (bounded); returns the final view.</summary>
    private static async Task<JsonNode> RunOperationAsync(HttpClient client, string path, HttpContent content)
    {
        var (status, _, body, response) = await ApiClients.SendAsync(client, HttpMethod.Post, path, content);
        Assert.That(status, Is.EqualTo(HttpStatusCode.Accepted), body?.ToJsonString());
        var location = response.Headers.Location ?? throw new AssertionException("202 without Location");
        Assert.That(location.AbsolutePath, Is.EqualTo($"/api/v1/operations/{(string?)body?["id"]}"));
        for (var attempt = 0; attempt < 600; attempt++)
        {
            (status, _, body, _) = await ApiClients.SendAsync(client, HttpMethod.Get, location.AbsolutePath);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((long?)body?["done"] ?? 0, Is.LessThanOrEqualTo((long?)body?["total"] ?? 0), "progress never runs past its total");
            if ((string?)body?["state"] != "running")
            {
                Assert.That((string?)body?["state"], Is.EqualTo("succeeded"), body?.ToJsonString());
                return body!;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"operation {location} still running after 600 polls");
        return null!;
    }

    private async Task<string> CreateEstAccountAsync(string name, string profile)
    {
        var (status, _, body, _) = await ApiClients.SendAsync(Administrator, HttpMethod.Post, "/api/v1/credentials/est-accounts",
            ApiClients.Json(new JsonObject { ["name"] = name, ["profiles"] = new JsonArray(profile) }.ToJsonString()));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Created), body?.ToJsonString());
        return (string)body!["secret"]!;
    }

    /// <summary>EST simpleenroll (RFC 7030 §4.2.1) with HTTP Basic; returns the issued certificate.</summary>
    private async Task<X509Certificate2> EnrollAsync(string account, string secret, string profile, string dnsName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        using var client = ApiClients.Create(_server.HttpsBase, _server.RootPemPath, null);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/.well-known/est/{profile}/simpleenroll")
        {
            Content = new StringContent(Convert.ToBase64String(request.CreateSigningRequest()), Encoding.ASCII, "application/pkcs10"),
        };
        message.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account}:{secret}")));
        using var response = await client.SendAsync(message);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        var signed = new System.Security.Cryptography.Pkcs.SignedCms();
        signed.Decode(Convert.FromBase64String(body));
        return signed.Certificates[0];
    }
}
