using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Coap.BlockWise;
using AmiPki.Coap.Messages;
using AmiPki.Coap.Transport;

namespace AmiPki.Coap.Server;

/// <summary>
/// A CoAP server (RFC 7252 message layer + RFC 7959 block-wise) over any <see cref="IDatagramTransport"/>.
/// Nothing a peer sends can make an exception escape: malformed datagrams are answered (4.00 / RST) or
/// dropped, and handler failures become 5.00.
/// </summary>
public sealed class CoapServer : IAsyncDisposable
{
    public const string WellKnownCorePath = "/.well-known/core";

    private readonly IDatagramTransport _transport;
    private readonly CoapServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Resource> _resources = new(StringComparer.Ordinal);
    private readonly MessageDeduplicator _deduplicator;
    private readonly ConfirmableSender _confirmables;
    private readonly Block1Reassembler _reassembler;
    private readonly Block2ResponseCache<CoapResponse> _responseCache;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _inFlight = new();
    private int _nextMessageId = RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
    private int _unhandledErrors;

    public CoapServer(IDatagramTransport transport, CoapServerOptions? options = null, TimeProvider? time = null)
    {
        _transport = transport;
        _options = options ?? new CoapServerOptions();
        _time = time ?? TimeProvider.System;
        _deduplicator = new MessageDeduplicator(_options.Transmission.ExchangeLifetime, _options.MaxDeduplicationEntries, _time);
        _confirmables = new ConfirmableSender(transport, _options.Transmission, _time, _options.MaxOutstandingConfirmables);
        _reassembler = new Block1Reassembler(_options.BlockWise, _time);
        _responseCache = new Block2ResponseCache<CoapResponse>(_options.BlockWise, _time);
    }

    public IPEndPoint LocalEndPoint => _transport.LocalEndPoint;

    /// <summary>Internal failures caught so they could not crash the server (a bug indicator for tests).</summary>
    public int UnhandledErrorCount => Volatile.Read(ref _unhandledErrors);

    internal Block1Reassembler Reassembler => _reassembler;

    internal MessageDeduplicator Deduplicator => _deduplicator;

    /// <summary>Registers a handler for an exact path such as "/.well-known/est/sen".</summary>
    public void AddResource(string path, Func<CoapRequest, CancellationToken, Task<CoapResponse>> handler, CoapResourceDescription? description = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        string normalized = "/" + path.Trim('/');
        if (normalized == WellKnownCorePath)
        {
            throw new ArgumentException($"{WellKnownCorePath} is served by the server itself", nameof(path));
        }

        if (!_resources.TryAdd(normalized, new Resource(handler, description ?? new CoapResourceDescription())))
        {
            throw new ArgumentException($"a resource is already registered at {normalized}", nameof(path));
        }
    }

    public void Start() => _transport.Start(OnDatagram);

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A handler ignoring cancellation must not hang shutdown.
        }

        _stopping.Dispose();
    }

    private void OnDatagram(ReceivedDatagram datagram)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var task = ProcessDatagramAsync(datagram);
        if (!task.IsCompleted)
        {
            _inFlight.TryAdd(task, true);
            _ = task.ContinueWith(finished => _inFlight.TryRemove(finished, out _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ProcessDatagramAsync(ReceivedDatagram datagram)
    {
        try
        {
            CoapMessage message;
            try
            {
                message = CoapMessageDecoder.Decode(datagram.Data.Span);
            }
            catch (CoapFormatException exception)
            {
                await AnswerFormatErrorAsync(datagram, exception.Message).ConfigureAwait(false);
                return;
            }

            await ProcessMessageAsync(datagram, message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The last line of defence: a bug here must cost one exchange, not the server.
        catch (Exception)
#pragma warning restore CA1031
        {
            Interlocked.Increment(ref _unhandledErrors);
        }
    }

    /// <summary>
    /// A malformed CON is rejected (RFC 7252 §4.2): with 4.00 when header and token are readable and it looks
    /// like a request, else with RST. Anything else malformed is silently dropped (§4.3), as is an unknown
    /// version (§3).
    /// </summary>
    private async Task AnswerFormatErrorAsync(ReceivedDatagram datagram, string reason)
    {
        var span = datagram.Data.Span;
        if (!CoapMessageDecoder.TryReadHeader(span, out var header)
            || header.Version != CoapMessageDecoder.Version
            || header.Type != CoapMessageType.Confirmable)
        {
            return;
        }

        CoapMessage answer;
        if (CoapCode.IsRequest(header.Code) && header.TokenLength <= CoapMessage.MaxTokenLength && span.Length >= 4 + header.TokenLength)
        {
            var token = span.Slice(4, header.TokenLength);
            answer = new CoapMessage(CoapMessageType.Acknowledgement, CoapCode.BadRequest, header.MessageId, token,
                payload: Encoding.UTF8.GetBytes(reason));
        }
        else
        {
            answer = CoapMessage.CreateEmpty(CoapMessageType.Reset, header.MessageId);
        }

        await SendAsync(datagram.Peer, answer.Encode()).ConfigureAwait(false);
    }

    private async Task ProcessMessageAsync(ReceivedDatagram datagram, CoapMessage message)
    {
        switch (message.Type)
        {
            case CoapMessageType.Acknowledgement or CoapMessageType.Reset:
                // Only our separate CON responses expect these (RFC 7252 §4.2, §4.3); others are ignored.
                _confirmables.OnAcknowledgement(datagram.Peer, message.MessageId, message.Type == CoapMessageType.Reset);
                return;

            case CoapMessageType.Confirmable when !message.IsRequest:
                // A CON ping (0.00) or a response/reserved code we cannot act on: reject with RST (§4.2, §4.3).
                await SendAsync(datagram.Peer, CoapMessage.CreateEmpty(CoapMessageType.Reset, message.MessageId).Encode()).ConfigureAwait(false);
                return;

            case CoapMessageType.NonConfirmable when !message.IsRequest:
                return;
        }

        // The peer's chain object is created once per DTLS session: it stands for the security association.
        if (!_deduplicator.TryRegister(datagram.Peer, message.MessageId, datagram.PeerCertificateChain, out var exchange))
        {
            // RFC 7252 §4.5: answer a duplicate CON with the same reply; ignore a duplicate NON, and a
            // duplicate still being processed (its answer is on its way).
            if (message.Type == CoapMessageType.Confirmable && exchange.Reply is { } reply)
            {
                await SendAsync(datagram.Peer, reply).ConfigureAwait(false);
            }

            return;
        }

        await ProcessRequestAsync(datagram, message, exchange).ConfigureAwait(false);
    }

    private async Task ProcessRequestAsync(ReceivedDatagram datagram, CoapMessage message, MessageDeduplicator.Exchange exchange)
    {
        if (KnownOptions.FindUnacceptableCritical(message) is { } badOption)
        {
            if (message.Type == CoapMessageType.Confirmable)
            {
                // RFC 7252 §5.4.1: an unrecognised critical option in a CON request → 4.02.
                await ReplyAsync(datagram.Peer, message, exchange, CoapResponse.Error(CoapCode.BadOption, $"option {badOption.Number} not supported"), []).ConfigureAwait(false);
            }
            else
            {
                // ... and a NON carrying one is rejected: RST, nothing else.
                await SendAsync(datagram.Peer, CoapMessage.CreateEmpty(CoapMessageType.Reset, message.MessageId).Encode()).ConfigureAwait(false);
            }

            return;
        }

        if (message.HasOption(CoapOptionNumber.ProxyUri) || message.HasOption(CoapOptionNumber.ProxyScheme))
        {
            // We are an origin server only (RFC 7252 §5.7.2).
            await ReplyAsync(datagram.Peer, message, exchange, CoapResponse.Error(CoapCode.ProxyingNotSupported), []).ConfigureAwait(false);
            return;
        }

        CoapResponse response;
        var extraOptions = new List<CoapOption>();
        BlockOptionValue? requestBlock2;
        BlockTransferKey transferKey;
        try
        {
            requestBlock2 = ReadBlockOption(message, CoapOptionNumber.Block2);
            var requestBlock1 = ReadBlockOption(message, CoapOptionNumber.Block1);
            transferKey = new BlockTransferKey(datagram.Peer, $"{message.Code}|{message.GetUriPath()}?{string.Join('&', message.GetUriQueries())}");

            if (requestBlock2 is { Number: > 0 } && _responseCache.TryGet(transferKey, out var cached))
            {
                // A later block of a response already produced: serve it from the same representation.
                await ReplyAsync(datagram.Peer, message, exchange, cached!, extraOptions, requestBlock2, transferKey).ConfigureAwait(false);
                return;
            }

            ReadOnlyMemory<byte> body = message.Payload;
            if (requestBlock1 is { } block1)
            {
                var outcome = _reassembler.Offer(transferKey, block1, message.Payload.Span, ReadUInt(message, CoapOptionNumber.Size1));
                int serverExponent = Math.Min(block1.SizeExponent, _options.BlockWise.PreferredSizeExponent);
                switch (outcome.Kind)
                {
                    case Block1OutcomeKind.Continue:
                        // RFC 7959 §2.3: acknowledge with the block number, M=1 and our (maybe smaller) size.
                        var continueOptions = new List<CoapOption> { new BlockOptionValue(block1.Number, true, serverExponent).ToOption(CoapOptionNumber.Block1) };
                        await ReplyAsync(datagram.Peer, message, exchange, new CoapResponse(CoapCode.Continue), continueOptions).ConfigureAwait(false);
                        return;
                    case Block1OutcomeKind.Failed:
                        if (outcome.Size1 is { } size1)
                        {
                            extraOptions.Add(CoapOption.FromUInt(CoapOptionNumber.Size1, size1));
                        }

                        await ReplyAsync(datagram.Peer, message, exchange, CoapResponse.Error(outcome.ErrorCode, outcome.Diagnostic), extraOptions).ConfigureAwait(false);
                        return;
                    default:
                        body = outcome.Body;
                        extraOptions.Add(new BlockOptionValue(block1.Number, false, serverExponent).ToOption(CoapOptionNumber.Block1));
                        break;
                }
            }

            var request = new CoapRequest(message, datagram.Peer, body, datagram.PeerCertificateChain);
            var handlerTask = Dispatch(request);
            if (message.Type == CoapMessageType.Confirmable && !handlerTask.IsCompleted)
            {
                using var thresholdCancellation = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                var threshold = Task.Delay(_options.SeparateResponseThreshold, _time, thresholdCancellation.Token);
                if (await Task.WhenAny(handlerTask, threshold).ConfigureAwait(false) != handlerTask)
                {
                    await SendSeparateResponseAsync(datagram.Peer, message, exchange, handlerTask, extraOptions, requestBlock2, transferKey).ConfigureAwait(false);
                    return;
                }

                await thresholdCancellation.CancelAsync().ConfigureAwait(false);
            }

            response = await handlerTask.ConfigureAwait(false);
        }
        catch (CoapFormatException exception)
        {
            // An option value we had to read was malformed (RFC 7252 §5.4.3 / RFC 7959 §2.2 SZX 7).
            await ReplyAsync(datagram.Peer, message, exchange, CoapResponse.Error(CoapCode.BadRequest, exception.Message), []).ConfigureAwait(false);
            return;
        }

        await ReplyAsync(datagram.Peer, message, exchange, response, extraOptions, requestBlock2, transferKey).ConfigureAwait(false);
    }

    /// <summary>Runs the resource handler off the receive loop; any exception becomes 5.00 (RFC 7252 §5.9.3.1).</summary>
    private Task<CoapResponse> Dispatch(CoapRequest request)
    {
        if (request.Path == WellKnownCorePath)
        {
            return Task.FromResult(request.Method == CoapCode.Get
                ? CoapResponse.Content(Encoding.UTF8.GetBytes(
                    LinkFormat.Build(_resources.Select(entry => KeyValuePair.Create(entry.Key, entry.Value.Description)), request.Queries)),
                    CoapContentFormat.LinkFormat)
                : CoapResponse.Error(CoapCode.MethodNotAllowed));
        }

        if (!_resources.TryGetValue(request.Path, out var resource))
        {
            return Task.FromResult(CoapResponse.Error(CoapCode.NotFound));
        }

        var token = _stopping.Token;
        return Task.Run(async () =>
        {
            try
            {
                return await resource.Handler(request, token).ConfigureAwait(false)
                    ?? CoapResponse.Error(CoapCode.InternalServerError, "handler returned no response");
            }
#pragma warning disable CA1031 // Handler failures are answered, never propagated (issue: "never a crash").
            catch (Exception)
#pragma warning restore CA1031
            {
                return CoapResponse.Error(CoapCode.InternalServerError);
            }
        }, CancellationToken.None);
    }

    /// <summary>
    /// RFC 7252 §5.2.2: acknowledge now with an empty ACK, then send the answer as a CON of its own
    /// (same token, new message id), retransmitted until acknowledged.
    /// </summary>
    private async Task SendSeparateResponseAsync(
        IPEndPoint peer, CoapMessage request, MessageDeduplicator.Exchange exchange, Task<CoapResponse> handlerTask,
        List<CoapOption> extraOptions, BlockOptionValue? requestBlock2, BlockTransferKey transferKey)
    {
        byte[] emptyAck = CoapMessage.CreateEmpty(CoapMessageType.Acknowledgement, request.MessageId).Encode();
        exchange.Reply = emptyAck;
        await SendAsync(peer, emptyAck).ConfigureAwait(false);

        var response = await handlerTask.ConfigureAwait(false);
        var message = BuildResponseMessage(request, CoapMessageType.Confirmable, NextMessageId(), response, extraOptions, requestBlock2, transferKey);
        await _confirmables.SendAsync(peer, message.MessageId, message.Encode(), _stopping.Token).ConfigureAwait(false);
    }

    private async Task ReplyAsync(
        IPEndPoint peer, CoapMessage request, MessageDeduplicator.Exchange exchange, CoapResponse response,
        List<CoapOption> extraOptions, BlockOptionValue? requestBlock2 = null, BlockTransferKey? transferKey = null)
    {
        bool piggybacked = request.Type == CoapMessageType.Confirmable;
        var message = BuildResponseMessage(
            request,
            piggybacked ? CoapMessageType.Acknowledgement : CoapMessageType.NonConfirmable,
            piggybacked ? request.MessageId : NextMessageId(),
            response,
            extraOptions,
            requestBlock2,
            transferKey);
        byte[] encoded = message.Encode();
        if (piggybacked)
        {
            exchange.Reply = encoded;
        }

        await SendAsync(peer, encoded).ConfigureAwait(false);
    }

    /// <summary>
    /// Applies Block2 (RFC 7959 §2.4): a body larger than the block size the client asked for (or our
    /// preference) is sliced, the whole response kept for the later blocks, Size2 sent with block 0 (§4).
    /// </summary>
    private CoapMessage BuildResponseMessage(
        CoapMessage request, CoapMessageType type, ushort messageId, CoapResponse response,
        List<CoapOption> extraOptions, BlockOptionValue? requestBlock2, BlockTransferKey? transferKey)
    {
        var options = new List<CoapOption>(response.BuildOptions());
        options.AddRange(extraOptions);
        var payload = response.Payload;
        int sizeExponent = Block2Slicer.ChooseSizeExponent(requestBlock2, _options.BlockWise.PreferredSizeExponent);
        if (payload.Length > BlockOptionValue.SizeFromExponent(sizeExponent) || requestBlock2 is not null)
        {
            int number = requestBlock2?.Number ?? 0;
            if (requestBlock2 is { } asked && asked.SizeExponent > sizeExponent)
            {
                // The client asked for bigger blocks than we send: renumber to the same offset (§2.4).
                number = (int)(asked.Offset / BlockOptionValue.SizeFromExponent(sizeExponent));
            }

            if (!Block2Slicer.TrySlice(payload, number, sizeExponent, out var slice, out bool more))
            {
                return new CoapMessage(type, CoapCode.BadOption, messageId, request.Token.Span,
                    payload: Encoding.UTF8.GetBytes("Block2 beyond the end of the representation"));
            }

            options.Add(new BlockOptionValue(number, more, sizeExponent).ToOption(CoapOptionNumber.Block2));
            if (number == 0 && more)
            {
                options.Add(CoapOption.FromUInt(CoapOptionNumber.Size2, (uint)payload.Length));
            }

            if (more && number == 0 && transferKey is { } key)
            {
                _responseCache.Store(key, response);
            }

            payload = slice;
        }

        return new CoapMessage(type, response.Code, messageId, request.Token.Span, options, payload.Span);
    }

    private static BlockOptionValue? ReadBlockOption(CoapMessage message, int number)
    {
        if (message.FindOption(number) is not { } option)
        {
            return null;
        }

        if (!BlockOptionValue.TryDecode(option.Value.Span, out var block))
        {
            throw new CoapFormatException($"invalid block option {number} value (RFC 7959 §2.2)");
        }

        return block;
    }

    private static uint? ReadUInt(CoapMessage message, int number) =>
        message.FindOption(number) is { } option && KnownOptions.HasValidLength(option) ? option.GetUInt() : null;

    private ushort NextMessageId() => (ushort)Interlocked.Increment(ref _nextMessageId);

    private ValueTask SendAsync(IPEndPoint peer, byte[] datagram) => _transport.SendAsync(peer, datagram, CancellationToken.None);

    private sealed record Resource(Func<CoapRequest, CancellationToken, Task<CoapResponse>> Handler, CoapResourceDescription Description);
}
