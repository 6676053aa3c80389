using AgreementLedger.Witness;

namespace AgreementLedger.Tests.Witness;

/// <summary>The witness's state file: what is saved is what is loaded, owner-only, replaced whole, and never silently forgotten.</summary>
public sealed class WitnessStateFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("witness-state-").FullName;

    private static readonly CheckpointJson Checkpoint = new(
        "agreement-ledger/0123456789abcdef", 3, new string('a', 64), 17, "2026-12-01T14:00:00Z", "0123456789abcdef", "c2ln", null);

    private static readonly CosignatureJson Cosignature = new("witness/fedcba9876543210", "fedcba9876543210", "2026-12-01T14:00:01Z", "Y29zaWc=");

    private static WitnessState Saved => WitnessState.Empty.With(
        new LogState(Checkpoint.Origin!, 3, Checkpoint.RootHash!, Checkpoint.KeyId!, Checkpoint, Cosignature));

    [Fact]
    public void no_file_is_the_empty_state()
    {
        var state = new WitnessStateFile(_directory).Load();
        Assert.Null(state.PinnedKey);
        Assert.Empty(state.Logs);
    }

    [Fact]
    public void what_is_saved_is_loaded_again()
    {
        new WitnessStateFile(_directory).Save(Saved);

        var loaded = new WitnessStateFile(_directory).Load();
        var log = Assert.Single(loaded.Logs);
        Assert.Equal(Saved.Logs[0], log with { Checkpoint = Saved.Logs[0].Checkpoint });
        Assert.Equal(Checkpoint, log.Checkpoint with { Cosignatures = null });
        Assert.Same(log, loaded.Log(Checkpoint.Origin!));
        Assert.Same(log, loaded.Newest);
    }

    [Fact]
    public void the_file_is_owner_only_and_no_temporary_file_is_left()
    {
        var file = new WitnessStateFile(_directory);
        file.Save(Saved);
        file.Save(Saved);

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file.Path));
        }

        Assert.Equal([WitnessStateFile.FileName], Directory.EnumerateFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void a_leftover_of_an_interrupted_write_is_removed_and_the_last_whole_state_is_kept()
    {
        var file = new WitnessStateFile(_directory);
        file.Save(Saved);
        File.WriteAllText(Path.Combine(_directory, $".{WitnessStateFile.FileName}.0123.tmp"), "{ \"pinnedKey\": ");

        Assert.Single(file.Load().Logs);
        Assert.Equal([WitnessStateFile.FileName], Directory.EnumerateFiles(_directory).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("{ \"pinnedKey\": ")]
    [InlineData("null")]
    [InlineData("{ \"logs\": [], \"extra\": 1 }")]
    [InlineData("{ \"pinnedKey\": \"bm90IGEga2V5\", \"logs\": [] }")]
    public void a_state_that_cannot_be_read_stops_the_witness_instead_of_starting_it_empty(string content)
    {
        var file = new WitnessStateFile(_directory);
        File.WriteAllText(file.Path, content);

        var refusal = Assert.Throws<WitnessRefusalException>(file.Load);
        Assert.Contains("backup", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void a_log_that_does_not_match_its_own_checkpoint_is_refused()
    {
        var file = new WitnessStateFile(_directory);
        file.Save(WitnessState.Empty.With(new LogState(Checkpoint.Origin!, 4, Checkpoint.RootHash!, Checkpoint.KeyId!, Checkpoint, Cosignature)));

        Assert.Throws<WitnessRefusalException>(file.Load);
    }

    [Fact]
    public void the_log_cosigned_last_is_the_newest()
    {
        var other = Checkpoint with { Origin = "another/log" };
        var state = Saved.With(new LogState("another/log", 3, other.RootHash!, other.KeyId!, other, Cosignature));
        Assert.Equal("another/log", state.Newest!.Origin);
        Assert.Equal(Checkpoint.Origin, state.With(Saved.Logs[0]).Newest!.Origin);
        Assert.Equal(2, state.With(Saved.Logs[0]).Logs.Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
