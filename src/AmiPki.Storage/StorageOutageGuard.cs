using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using AmiPki.Core.Storage;

namespace AmiPki.Storage;

/// <summary>
/// Wraps a store so that what its driver throws when the database cannot be reached (the dialect's
/// <see cref="OutageClassifier"/> decides) reaches callers as <see cref="StorageUnavailableException"/>, whichever method,
/// read or write, synchronous throw, faulted task or failing async enumeration. Every other exception passes unchanged.
/// One wrapper per store interface, so the stores themselves keep their plain driver code.
/// </summary>
internal static class StorageOutageGuard
{
    /// <summary>The message of the outage, or null when <paramref name="exception"/> is not one.</summary>
    public delegate string? OutageClassifier(Exception exception);

    public static T Wrap<T>(T target, OutageClassifier classify) where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        var proxy = DispatchProxy.Create<T, OutageProxy<T>>();
        ((OutageProxy<T>)(object)proxy).Initialise(target, classify);
        return proxy;
    }

    /// <summary>The outage <paramref name="exception"/> stands for, or null: it or an exception it wraps matched.</summary>
    public static StorageUnavailableException? Translate(Exception exception, OutageClassifier classify)
    {
        if (exception is StorageUnavailableException or OperationCanceledException)
        {
            return null;
        }
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (classify(current) is { } message)
            {
                return new StorageUnavailableException(message, exception);
            }
        }
        return null;
    }

    /// <summary>Public for <see cref="DispatchProxy"/>; not part of the storage API.</summary>
    public class OutageProxy<T> : DispatchProxy where T : class
    {
        private static readonly ConcurrentDictionary<Type, Func<object, OutageClassifier, object>> Wrappers = new();
        private static readonly MethodInfo GuardTaskOfT = typeof(OutageProxy<T>).GetMethod(nameof(GuardTaskAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        private static readonly MethodInfo GuardEnumerableOfT = typeof(OutageProxy<T>).GetMethod(nameof(GuardEnumerable), BindingFlags.NonPublic | BindingFlags.Static)!;

        private T _target = null!;
        private OutageClassifier _classify = null!;

        internal void Initialise(T target, OutageClassifier classify)
        {
            _target = target;
            _classify = classify;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            object? result;
            try
            {
                result = targetMethod.Invoke(_target, args);
            }
            catch (TargetInvocationException e) when (e.InnerException is { } inner)
            {
                if (Translate(inner, _classify) is { } outage)
                {
                    throw outage;
                }
                ExceptionDispatchInfo.Capture(inner).Throw();
                throw;
            }
            if (result is null)
            {
                return null;
            }
            var type = targetMethod.ReturnType;
            if (type == typeof(Task))
            {
                return GuardAsync((Task)result, _classify);
            }
            if (type == typeof(ValueTask))
            {
                return new ValueTask(GuardAsync(((ValueTask)result).AsTask(), _classify));
            }
            if (!type.IsGenericType)
            {
                return result;
            }
            var definition = type.GetGenericTypeDefinition();
            if (definition != typeof(Task<>) && definition != typeof(IAsyncEnumerable<>))
            {
                return result;
            }
            var wrap = Wrappers.GetOrAdd(type, static t =>
            {
                var generic = (t.GetGenericTypeDefinition() == typeof(Task<>) ? GuardTaskOfT : GuardEnumerableOfT).MakeGenericMethod(t.GetGenericArguments()[0]);
                return generic.CreateDelegate<Func<object, OutageClassifier, object>>();
            });
            return wrap(result, _classify);
        }

        private static async Task GuardAsync(Task task, OutageClassifier classify)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception e) when (Translate(e, classify) is not null)
            {
                throw Translate(e, classify)!;
            }
        }

        private static object GuardTaskAsync<TResult>(object task, OutageClassifier classify) => GuardTaskCoreAsync((Task<TResult>)task, classify);

        private static async Task<TResult> GuardTaskCoreAsync<TResult>(Task<TResult> task, OutageClassifier classify)
        {
            try
            {
                return await task.ConfigureAwait(false);
            }
            catch (Exception e) when (Translate(e, classify) is not null)
            {
                throw Translate(e, classify)!;
            }
        }

        private static object GuardEnumerable<TItem>(object source, OutageClassifier classify) => GuardEnumerableCore((IAsyncEnumerable<TItem>)source, classify);

        private static async IAsyncEnumerable<TItem> GuardEnumerableCore<TItem>(IAsyncEnumerable<TItem> source, OutageClassifier classify,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var enumerator = source.GetAsyncEnumerator(cancellationToken);
            try
            {
                while (true)
                {
                    TItem item;
                    try
                    {
                        if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                        {
                            yield break;
                        }
                        item = enumerator.Current;
                    }
                    catch (Exception e) when (Translate(e, classify) is not null)
                    {
                        throw Translate(e, classify)!;
                    }
                    yield return item;
                }
            }
            finally
            {
                await enumerator.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
