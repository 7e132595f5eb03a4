using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace AmiPki.Server.Api;

/// <summary>
/// Runs long admin operations in the background so the call answers 202 at once with a URL to poll for progress.
/// Kept in memory (the durable effects — revocations, device rows, audit entries — are in storage the moment each
/// chunk commits); the newest <see cref="Retained"/> operations stay visible.
/// </summary>
public sealed class AdminOperations
{
    public const int Retained = 1000;

    private readonly ConcurrentDictionary<string, AdminOperation> _operations = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger<AdminOperations> _logger;

    public AdminOperations(TimeProvider time, ILogger<AdminOperations> logger)
    {
        _time = time;
        _logger = logger;
    }

    public AdminOperation? Find(string id) => _operations.GetValueOrDefault(id);

    public IReadOnlyList<AdminOperation> Recent() => _operations.Values.OrderByDescending(o => o.StartedAt).ToList();

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool. It runs to the end even if the caller disconnects: a bulk
    /// revocation half-done because a browser tab closed would be worse than one finished.
    /// </summary>
    public AdminOperation Start(string kind, string actor, Func<AdminOperation, Task<object>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Trim();
        var operation = new AdminOperation(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)), kind, actor, _time.GetUtcNow());
        _operations[operation.Id] = operation;
        _ = Task.Run(async () =>
        {
            try
            {
                operation.Succeed(await work(operation), _time.GetUtcNow());
            }
#pragma warning disable CA1031 // The failure is the operation's result, shown to whoever polls it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                AdminApiLog.OperationFailed(_logger, operation.Id, operation.Kind, e);
                operation.Fail(e.Message, _time.GetUtcNow());
            }
        });
        return operation;
    }

    private void Trim()
    {
        if (_operations.Count < Retained)
        {
            return;
        }
        foreach (var old in _operations.Values.Where(o => o.IsFinished).OrderBy(o => o.StartedAt).Take(_operations.Count - Retained + 1))
        {
            _operations.TryRemove(old.Id, out _);
        }
    }
}
