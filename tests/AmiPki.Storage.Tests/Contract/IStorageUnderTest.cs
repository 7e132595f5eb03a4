using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Campaigns;
using AmiPki.Core.Credentials;
using AmiPki.Core.Devices;
using AmiPki.Core.Jobs;
using AmiPki.Core.Storage;

namespace AmiPki.Storage.Tests.Contract;

/// <summary>Every storage interface of the core, from one open database of whichever dialect is under test.</summary>
public interface IStorageUnderTest : IAsyncDisposable
{
    IIssuanceStore Issuance { get; }

    ICertificateReader Certificates { get; }

    IRevocationStore Revocations { get; }

    IAuditLog Audit { get; }

    IAuditHeadReader AuditHeads { get; }

    ICaStore Cas { get; }

    IDeviceRegistry Devices { get; }

    ICredentialStore Credentials { get; }

    ICampaignStore Campaigns { get; }

    IJobScheduleStore JobSchedule { get; }

    ICertificateHousekeeping Housekeeping { get; }
}
