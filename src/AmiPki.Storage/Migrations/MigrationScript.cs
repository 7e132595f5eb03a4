namespace AmiPki.Storage.Migrations;

/// <summary>One versioned schema change, e.g. <c>0001_initial.sql</c> is version 1 named "initial".</summary>
public sealed record MigrationScript(int Version, string Name, string Sql);
