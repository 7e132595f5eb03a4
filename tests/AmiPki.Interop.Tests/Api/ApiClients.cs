using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Api;

/// <summary>
/// Client certificates for the admin API tests, issued by the test CA with <c>amipki issue</c> (keys made here, throwaway),
/// and HTTPS clients that present them and trust only the test root.
/// </summary>
public static class ApiClients
{
    /// <summary>Issues a certificate under <paramref name="profile"/> for a fresh P-256 key; returns it with its key.</summary>
    public static async Task<X509Certificate2> IssueAsync(string dataDirectory, string profile, string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var csrPath = Path.Combine(dataDirectory, $"{commonName}.csr");
        var certificatePath = Path.Combine(dataDirectory, $"{commonName}.pem");
        await File.WriteAllTextAsync(csrPath, request.CreateSigningRequestPem());
        var issued = await AmiPkiServer.RunCliAsync(dataDirectory, "issue", "--profile", profile, "--csr", csrPath, "--out", certificatePath);
        Assert.That(issued.ExitCode, Is.EqualTo(0), issued.Describe());
        return X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(certificatePath), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A self-signed certificate no AmiPki issued (with its key).</summary>
    public static X509Certificate2 Foreign(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }

    /// <summary>An HTTPS client trusting only <paramref name="rootPemPath"/>, presenting <paramref name="certificate"/> when asked.</summary>
    public static HttpClient Create(string baseAddress, string rootPemPath, X509Certificate2? certificate)
    {
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(rootPemPath));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificate is null ? null : new X509CertificateCollection { certificate },
                RemoteCertificateValidationCallback = (_, presented, chain, errors) =>
                {
                    if (presented is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }
                    using var validation = new X509Chain();
                    validation.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    validation.ChainPolicy.CustomTrustStore.Add(root);
                    validation.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    if (chain is not null)
                    {
                        foreach (var element in chain.ChainElements)
                        {
                            validation.ChainPolicy.ExtraStore.Add(element.Certificate);
                        }
                    }
                    return validation.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(60) };
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Sends, and returns the status, the content type and the body parsed as JSON (null when empty).</summary>
    public static async Task<(HttpStatusCode Status, string? MediaType, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method,
        string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static MediaTypeHeaderValue Csv { get; } = new("text/csv");
}
