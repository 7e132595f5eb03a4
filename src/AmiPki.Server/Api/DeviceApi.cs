using AmiPki.Core.Devices;
using AmiPki.Server.Api.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/devices</c>: import a manufacturer manifest (the CSV <c>amipki devices import</c> reads, checked in full
/// before anything is written, then written in durable chunks as a background operation with progress), list, show.
/// </summary>
public static class DeviceApi
{
    public static RouteGroupBuilder MapDevices(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var group = api.MapGroup("/devices").WithTags("Devices");
        group.MapGet("/", ListAsync).Requires(AdminPermission.Read).Validated<DeviceSearch>().WithName("listDevices");
        group.MapGet("/{systemTitle}", ShowAsync).Requires(AdminPermission.Read).WithName("showDevice").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/import", ImportAsync).Requires(AdminPermission.Operate).WithName("importDevices")
            .Accepts<string>(DeviceManifest.MediaType)
            .WithSummary($"Import a manifest: text/csv with the header {DeviceManifest.Header} (or the legacy {DeviceManifest.LegacyHeader}: meters)")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return api;
    }

    private static async Task<Ok<DevicePage>> ListAsync([AsParameters] DeviceSearch query, IDeviceRegistry devices, CancellationToken cancellationToken)
    {
        var limit = query.Limit ?? 100;
        var offset = query.Offset ?? 0;
        var rows = await devices.ListAsync(query.Dcu, query.Lot, limit, offset, cancellationToken);
        return TypedResults.Ok(new DevicePage(rows.Select(DeviceView.From).ToList(), offset, limit, rows.Count == limit ? offset + limit : null));
    }

    private static async Task<Ok<DeviceView>> ShowAsync(string systemTitle, IDeviceRegistry devices, CancellationToken cancellationToken)
    {
        var device = await devices.FindBySystemTitleAsync(systemTitle.Trim().ToUpperInvariant(), cancellationToken)
                     ?? throw new KeyNotFoundException($"no device with system title {systemTitle}");
        return TypedResults.Ok(DeviceView.From(device));
    }

    private static async Task<AcceptedAtRoute<OperationView>> ImportAsync(HttpContext context, AdminIdentity admin, DeviceImporter importer,
        AdminOperations operations, TimeProvider time)
    {
        // Routing already refused any other content type with 415 (the Accepts metadata below); the middleware gave it a problem body.
        string text;
        using (var reader = new StreamReader(context.Request.Body))
        {
            text = await reader.ReadToEndAsync(context.RequestAborted);
        }
        // Every line is checked before anything is written: a bad manifest changes nothing (InvalidInputException names the line).
        var devices = DeviceManifest.Parse(new StringReader(text), "body", time.GetUtcNow());
        var operation = operations.Start("device-import", admin.Actor, async operation =>
        {
            var written = await importer.ImportAsync(devices, $"admin API upload ({devices.Count} devices)", admin.Actor,
                new ImportProgress(operation), CancellationToken.None);
            return new DeviceImportResult(devices.Count, written);
        });
        return TypedResults.AcceptedAtRoute(operation.View(), OperationApi.RouteName, new { id = operation.Id });
    }

    /// <summary>What a finished import reports: devices in the manifest and rows written.</summary>
    public sealed record DeviceImportResult(int Devices, int Written);

    private sealed class ImportProgress(AdminOperation operation) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => operation.Report("importing", value.Done, value.Total);
    }
}
