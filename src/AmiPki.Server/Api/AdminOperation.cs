using AmiPki.Server.Api.Contracts;

namespace AmiPki.Server.Api;

/// <summary>One long-running operation: its progress is written by the worker and read by pollers (lock-free snapshots).</summary>
public sealed class AdminOperation
{
    private readonly Lock _gate = new();
    private string _state = "running";
    private string _phase = "starting";
    private long _done;
    private long _total;
    private DateTimeOffset? _finishedAt;
    private object? _result;
    private string? _error;

    public AdminOperation(string id, string kind, string actor, DateTimeOffset startedAt)
    {
        Id = id;
        Kind = kind;
        Actor = actor;
        StartedAt = startedAt;
    }

    public string Id { get; }

    public string Kind { get; }

    public string Actor { get; }

    public DateTimeOffset StartedAt { get; }

    public bool IsFinished
    {
        get
        {
            lock (_gate)
            {
                return _finishedAt is not null;
            }
        }
    }

    public void Report(string phase, long done, long total)
    {
        lock (_gate)
        {
            _phase = phase;
            _done = done;
            _total = total;
        }
    }

    public void Succeed(object result, DateTimeOffset at)
    {
        lock (_gate)
        {
            _state = "succeeded";
            _phase = "done";
            _result = result;
            _finishedAt = at;
        }
    }

    public void Fail(string error, DateTimeOffset at)
    {
        lock (_gate)
        {
            _state = "failed";
            _error = error;
            _finishedAt = at;
        }
    }

    public OperationView View()
    {
        lock (_gate)
        {
            return new OperationView(Id, Kind, Actor, _state, _phase, _done, _total, StartedAt, _finishedAt, _result, _error);
        }
    }
}
