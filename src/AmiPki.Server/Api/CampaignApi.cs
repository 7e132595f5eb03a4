using AmiPki.Core.Campaigns;
using AmiPki.Server.Api.Contracts;
using AmiPki.Server.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace AmiPki.Server.Api;

/// <summary>
/// <c>/api/v1/campaigns</c>: renewal campaigns per DCU (counts per state, then each DCU's entries with their state) and a
/// campaign pass on demand (operator); <c>/api/v1/jobs</c>: every scheduled job's persisted state and a run on demand
/// (operator). Both go through the same engine and runner as the scheduler, so a run here is recorded and audited alike.
/// </summary>
public static class CampaignApi
{
    public static RouteGroupBuilder MapCampaigns(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var campaigns = api.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/", async (ICampaignService service, CancellationToken ct) => TypedResults.Ok(await service.ListDcusAsync(ct)))
            .Requires(AdminPermission.Read).WithName("listCampaigns");
        campaigns.MapGet("/{dcu}", ListEntriesAsync).Requires(AdminPermission.Read).Validated<CampaignSearch>().WithName("listCampaignEntries");
        campaigns.MapPost("/run", async (ICampaignService service, CancellationToken ct) => TypedResults.Ok(await service.RunAsync(ct)))
            .Requires(AdminPermission.Operate).WithName("runCampaigns");

        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", ListJobsAsync).Requires(AdminPermission.Read).WithName("listJobs");
        jobs.MapPost("/{name}/run", RunJobAsync).Requires(AdminPermission.Operate).WithName("runJob").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Ok<CampaignPage>> ListEntriesAsync(string dcu, [AsParameters] CampaignSearch query, ICampaignService service,
        CancellationToken cancellationToken)
    {
        CampaignStates.TryParse(query.State, out var state);
        var limit = query.Limit ?? 100;
        var offset = query.Offset ?? 0;
        // Certificates of no DCU form one group of their own, stored under the empty name; "-" addresses it in a URL.
        var key = dcu == "-" ? "" : dcu;
        var entries = await service.ListEntriesAsync(new CampaignQuery(key, state, query.Profile, null, limit, offset), cancellationToken);
        return TypedResults.Ok(new CampaignPage(key, entries.Select(CampaignEntryView.From).ToList(), offset, limit,
            entries.Count == limit ? offset + limit : null));
    }

    private static async Task<Ok<List<JobView>>> ListJobsAsync(JobRunner runner, CancellationToken cancellationToken)
    {
        var records = (await runner.ListAsync(cancellationToken)).ToDictionary(r => r.Name, StringComparer.Ordinal);
        return TypedResults.Ok(runner.Names.Order(StringComparer.Ordinal).Select(name => JobView.From(name, records.GetValueOrDefault(name))).ToList());
    }

    private static async Task<Ok<JobView>> RunJobAsync(string name, JobRunner runner, CancellationToken cancellationToken)
    {
        if (!runner.Names.Contains(name, StringComparer.Ordinal))
        {
            throw new KeyNotFoundException($"no job named '{name}' (known: {string.Join(", ", runner.Names.Order(StringComparer.Ordinal))})");
        }
        return TypedResults.Ok(JobView.From(name, await runner.RunAsync(name, cancellationToken)));
    }
}
