using AmiPki.Storage.Tests.Postgres;

/// <summary>Stops and deletes the run's PostgreSQL test cluster (if a test started one) once every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class PostgresClusterTearDown
{
    [OneTimeTearDown]
    public Task StopCluster() => PostgresTestCluster.StopSharedAsync();
}
