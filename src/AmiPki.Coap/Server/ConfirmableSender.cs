using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using AmiPki.Coap.Transport;

namespace AmiPki.Coap.Server;

/// <summary>
/// Sends CON messages (separate responses) and retransmits them with exponential back-off until an ACK
/// or RST with the same message id arrives: first timeout random in [ACK_TIMEOUT, ACK_TIMEOUT ×
/// ACK_RANDOM_FACTOR], doubled each time, at most MAX_RETRANSMIT retransmissions (RFC 7252 §4.2).
/// </summary>
internal sealed class ConfirmableSender
{
    private readonly IDatagramTransport _transport;
    private readonly CoapTransmissionParameters _parameters;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<(IPEndPoint Peer, ushort MessageId), TaskCompletionSource<bool>> _outstanding = new();

    public ConfirmableSender(IDatagramTransport transport, CoapTransmissionParameters parameters, TimeProvider time, int capacity)
    {
        _transport = transport;
        _parameters = parameters;
        _time = time;
        _capacity = capacity;
    }

    public int OutstandingCount => _outstanding.Count;

    /// <returns>true when acknowledged, false when reset, given up on or refused for lack of room.</returns>
    public async Task<bool> SendAsync(IPEndPoint peer, ushort messageId, byte[] datagram, CancellationToken cancellationToken)
    {
        if (_outstanding.Count >= _capacity)
        {
            return false;
        }

        var key = (peer, messageId);
        var answered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_outstanding.TryAdd(key, answered))
        {
            return false;
        }

        try
        {
            double factor = 1 + (RandomNumberGenerator.GetInt32(1_000_001) / 1_000_000.0 * (_parameters.AckRandomFactor - 1));
            var timeout = _parameters.AckTimeout * factor;
            for (int attempt = 0; attempt <= _parameters.MaxRetransmit; attempt++)
            {
                await _transport.SendAsync(peer, datagram, cancellationToken).ConfigureAwait(false);
                try
                {
                    return await answered.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    timeout *= 2;
                }
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _outstanding.TryRemove(key, out _);
        }
    }

    /// <summary>Called for every empty ACK or RST received; true when it matched an outstanding CON.</summary>
    public bool OnAcknowledgement(IPEndPoint peer, ushort messageId, bool isReset)
    {
        if (_outstanding.TryRemove((peer, messageId), out var answered))
        {
            answered.TrySetResult(!isReset);
            return true;
        }

        return false;
    }
}
