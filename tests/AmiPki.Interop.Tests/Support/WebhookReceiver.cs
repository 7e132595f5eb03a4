using System.Net;
using System.Text.Json;

namespace AmiPki.Interop.Tests.Support;

/// <summary>
/// A head-end stand-in on 127.0.0.1: an <see cref="HttpListener"/> that records every webhook POST (its JSON body) and
/// answers 503 to the first <c>failFirst</c> calls, 204 afterwards.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<Call> _calls = [];
    private readonly int _failFirst;
    private readonly Task _loop;

    public WebhookReceiver(int failFirst = 0)
    {
        _failFirst = failFirst;
        var port = FreePort.Tcp();
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public IReadOnlyList<Call> Calls
    {
        get
        {
            lock (_calls)
            {
                return _calls.ToList();
            }
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            int number;
            lock (_calls)
            {
                number = _calls.Count + 1;
                var accepted = number > _failFirst;
                _calls.Add(new Call(number, context.Request.HttpMethod, context.Request.ContentType, body, accepted,
                    context.Request.Headers["X-AmiPki-Signature"]));
            }
            context.Response.StatusCode = number > _failFirst ? 204 : 503;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    /// <summary>One POST as received.</summary>
    public sealed record Call(int Number, string Method, string? ContentType, string Body, bool Accepted, string? Signature)
    {
        public string Serial => JsonDocument.Parse(Body).RootElement.GetProperty("serial").GetString()!;
    }
}
