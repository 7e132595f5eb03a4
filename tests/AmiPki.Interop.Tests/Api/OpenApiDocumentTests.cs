using System.Text.Json.Nodes;
using AmiPki.Interop.Tests.Support;
using AmiPki.Server;
using AmiPki.Server.Api;
using AmiPki.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace AmiPki.Interop.Tests.Api;

/// <summary>
/// The OpenAPI document against the endpoints the host really maps: the host is built in-process (the same
/// <see cref="ServerHost"/> <c>amipki serve</c> runs) so its <see cref="EndpointDataSource"/> can be read, then the
/// document is fetched over HTTPS. An admin endpoint missing from the document fails the test.
/// </summary>
public sealed class OpenApiDocumentTests
{
    [Test]
    public async Task The_document_is_OpenAPI_3_and_lists_every_mapped_admin_route()
    {
        using var data = await DataDirectory.InitAsync();
        var options = new AmiPkiOptions
        {
            DataDirectory = data.Path,
            ProfilesDirectory = RepositoryPaths.Profiles,
            KeyPassphrase = AmiPkiServer.TestKeyPassphrase,
            ListenAddress = "127.0.0.1",
            HttpPort = FreePort.Tcp(),
            HttpsPort = FreePort.Tcp(),
            CoapsPort = 0,
        };
        await using var runtime = await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, CancellationToken.None);
        await using var app = await ServerHost.BuildAsync(runtime, [], CancellationToken.None);
        await app.StartAsync();
        try
        {
            var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.RoutePattern.RawText?.StartsWith(AdminApi.BasePath + "/", StringComparison.Ordinal) == true)
                // Only the document itself is left out; an admin endpoint hidden from the document (ExcludeFromDescription) must fail.
                .Where(e => e.RoutePattern.RawText != AdminApi.OpenApiPath)
                .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                    .Select(method => (Path: e.RoutePattern.RawText!.TrimEnd('/'), Method: method.ToLowerInvariant())))
                .ToList();
            Assert.That(mapped, Has.Count.GreaterThanOrEqualTo(25), "the admin API maps its endpoints");

            using var client = ApiClients.Create($"https://127.0.0.1:{options.HttpsPort}", data.RootPem, null);
            using var response = await client.GetAsync(AdminApi.OpenApiPath);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), text);
            // Valid by the OpenAPI object model's reader and its default rule set (required fields, unique operation ids, ...).
            var read = OpenApiDocument.Parse(text, "json");
            Assert.That(read.Diagnostic?.Errors.Select(e => e.ToString()) ?? [], Is.Empty, "the reader found errors");
            Assert.That(read.Document!.Validate(ValidationRuleSet.GetDefaultRuleSet())?.Select(e => e.ToString()) ?? [], Is.Empty, "the rule set found errors");
            var document = JsonNode.Parse(text)!.AsObject();
            Assert.That((string?)document["openapi"], Does.Match(@"^3\.\d+\.\d+$"));
            Assert.That((string?)document["info"]?["title"], Is.Not.Empty);
            Assert.That(document["components"]?["securitySchemes"]?.AsObject().Select(s => (string?)s.Value?["type"]), Does.Contain("mutualTLS"));
            var paths = document["paths"]!.AsObject();
            foreach (var (path, method) in mapped)
            {
                Assert.That(paths[path]?.AsObject().ContainsKey(method), Is.True, $"{method.ToUpperInvariant()} {path} is mapped but missing from the OpenAPI document");
            }
            var documented = paths.SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key))).Where(p => p.Item2 != "parameters").ToList();
            Assert.That(documented, Has.Count.EqualTo(mapped.Count), "the document lists nothing that is not mapped");
            foreach (var (path, method) in documented)
            {
                var responses = paths[path]![method]!["responses"]!.AsObject();
                Assert.That(responses.Select(r => r.Key), Does.Contain("401").And.Contain("403"), $"{method} {path} documents the authentication refusals");
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
