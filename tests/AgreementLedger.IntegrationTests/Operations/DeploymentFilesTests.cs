using AgreementLedger.Infrastructure;
using AgreementLedger.LocalPostgres;
using AgreementLedger.IntegrationTests.Conventions;
using AgreementLedger.IntegrationTests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using YamlDotNet.RepresentationModel;

namespace AgreementLedger.IntegrationTests.Operations;

/// <summary>
/// What can be checked of deploy/ without Docker or Kubernetes: every file parses, the compose file
/// and the manifests hold what docs/operations.md says they do, and every variable they set is one
/// the service reads (checked by starting the real composition and recording what it asks for).
/// </summary>
public sealed class DeploymentFilesTests
{
    private static readonly string Deploy = Path.Combine(Repository.Root, "deploy");

    [Fact]
    public void every_yaml_file_in_deploy_parses()
    {
        var files = Directory.GetFiles(Deploy, "*.yaml", SearchOption.AllDirectories);

        Assert.True(files.Length >= 8, $"only {files.Length} YAML files under deploy/");
        foreach (var file in files)
        {
            var documents = Load(file);
            Assert.True(documents.Count >= 1, file + " holds no YAML document");
            Assert.All(documents, d => Assert.IsType<YamlMappingNode>(d.RootNode));
        }
    }

    [Fact]
    public void compose_runs_three_ledger_replicas_behind_a_proxy_with_rabbitmq_and_a_collector_on_pinned_images()
    {
        var services = Map(Single(Path.Combine(Deploy, "compose.yaml")), "services");

        Assert.Superset(new HashSet<string> { "postgres", "ledger", "proxy", "rabbitmq", "otel-collector" }, Keys(services));
        var ledger = Map(services, "ledger");
        Assert.Equal("3", Scalar(Map(ledger, "deploy"), "replicas"));
        Assert.Equal("deploy/Dockerfile", Scalar(Map(ledger, "build"), "dockerfile"));
        foreach (var service in services.Children.Values.Cast<YamlMappingNode>())
        {
            if (service.Children.ContainsKey("build"))
            {
                continue;
            }

            var image = Scalar(service, "image");
            Assert.Matches(@"^[a-z0-9./-]+:\d+\.\d+(\.\d+)?[-a-z0-9.]*$", image);
            Assert.DoesNotContain("latest", image, StringComparison.Ordinal);
        }

        var environment = Map(ledger, "environment");
        Assert.Equal("http://otel-collector:4317", Scalar(environment, "OTEL_EXPORTER_OTLP_ENDPOINT"));
        Assert.StartsWith("amqp://", Scalar(environment, "Ledger__Integration__RabbitMq"), StringComparison.Ordinal);
        Assert.Contains("Host=postgres;", Scalar(environment, "ConnectionStrings__Ledger"), StringComparison.Ordinal);

        var nginx = File.ReadAllText(Path.Combine(Deploy, "nginx.conf"));
        Assert.Contains("server ledger:8080", nginx, StringComparison.Ordinal);
        Assert.Equal(nginx.Count(c => c == '{'), nginx.Count(c => c == '}'));
        Assert.Contains("proxy_buffering off", nginx, StringComparison.Ordinal);

        var collector = Map(Map(Single(Path.Combine(Deploy, "otel-collector.yaml")), "service"), "pipelines");
        Assert.Equal(new HashSet<string> { "traces", "metrics", "logs" }, Keys(collector));
        Assert.All(collector.Children.Values, p => Assert.Contains("otlp", Sequence((YamlMappingNode)p, "receivers")));
    }

    [Fact]
    public void kubernetes_manifests_hold_a_deployment_with_probes_a_service_a_configmap_secret_references_and_a_budget()
    {
        var k8s = Path.Combine(Deploy, "k8s");
        var kustomization = Single(Path.Combine(k8s, "kustomization.yaml"));
        var resources = Sequence(kustomization, "resources");
        Assert.All(resources, r => Assert.True(File.Exists(Path.Combine(k8s, r)), r + " is listed but missing"));
        var manifests = resources.SelectMany(r => Load(Path.Combine(k8s, r))).Select(d => (YamlMappingNode)d.RootNode).ToList();
        var kinds = manifests.Select(m => Scalar(m, "kind")).ToHashSet();
        Assert.Superset(new HashSet<string> { "Deployment", "Service", "ConfigMap", "PodDisruptionBudget" }, kinds);

        var deployment = manifests.Single(m => Scalar(m, "kind") == "Deployment");
        Assert.Equal("3", Scalar(Map(deployment, "spec"), "replicas"));
        var pod = Map(Map(Map(deployment, "spec"), "template"), "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod.Children["containers"]).Children.Single();
        Assert.Equal("/health/live", Scalar(Map(Map(container, "livenessProbe"), "httpGet"), "path"));
        Assert.Equal("/health/live", Scalar(Map(Map(container, "startupProbe"), "httpGet"), "path"));
        Assert.Equal("/health/ready", Scalar(Map(Map(container, "readinessProbe"), "httpGet"), "path"));
        Assert.Equal("true", Scalar(Map(pod, "securityContext"), "runAsNonRoot"));

        var secretExample = Single(Path.Combine(k8s, "secret.example.yaml"));
        var secretKeys = Keys(Map(secretExample, "stringData"));
        var references = ((YamlSequenceNode)container.Children["env"]).Children.Cast<YamlMappingNode>()
            .Select(e => Map(Map(e, "valueFrom"), "secretKeyRef")).ToList();
        Assert.Equal(5, references.Count);
        Assert.All(references, r =>
        {
            Assert.Equal(Scalar(Map(secretExample, "metadata"), "name"), Scalar(r, "name"));
            Assert.Contains(Scalar(r, "key"), secretKeys);
        });
        var configMapName = Scalar(Map(manifests.Single(m => Scalar(m, "kind") == "ConfigMap"), "metadata"), "name");
        Assert.Equal(configMapName, Scalar(Map((YamlMappingNode)((YamlSequenceNode)container.Children["envFrom"]).Children.Single(), "configMapRef"), "name"));

        var budget = manifests.Single(m => Scalar(m, "kind") == "PodDisruptionBudget");
        Assert.True(int.Parse(Scalar(Map(budget, "spec"), "minAvailable"), System.Globalization.CultureInfo.InvariantCulture) is >= 1 and < 3);
    }

    [Fact]
    public async Task every_variable_the_deploy_files_set_is_one_the_service_reads()
    {
        var variables = DeployedVariables();
        Assert.Contains("Ledger__Integration__RabbitMq", variables.Keys);
        Assert.Contains("Ledger__RateLimit__PermitsPerWindow", variables.Keys);
        var connectionString = await TestDatabase.CreateAsync();
        try
        {
            var asked = await KeysTheServiceAsksForAsync(variables, connectionString);

            var unread = variables.Keys
                .Where(name => !asked.Contains(ConfigurationKey(name)) && !ReadBeforeConfiguration.Contains(name))
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.True(unread.Count == 0, "set in deploy/ but never read by the service: " + string.Join(", ", unread));
        }
        finally
        {
            await TestDatabase.DropAsync(connectionString);
        }
    }

    /// <summary>Read by the .NET host to choose the environment, before any application configuration exists.</summary>
    private static readonly HashSet<string> ReadBeforeConfiguration = new(StringComparer.OrdinalIgnoreCase) { "ASPNETCORE_ENVIRONMENT" };

    /// <summary>Values the test must not use (they name hosts and keys of a real deployment); they are still recorded when asked for.</summary>
    private static readonly HashSet<string> Withheld = new(StringComparer.OrdinalIgnoreCase)
    {
        "ConnectionStrings:Ledger", "Ledger:Auth:SigningKey", "Ledger:Audit:SigningKey", "Ledger:Webhooks:SecretKey", "Ledger:Integration:RabbitMq",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "urls", "environment",
    };

    [Fact]
    public void each_deployment_sets_every_setting_a_production_node_refuses_to_start_without()
    {
        foreach (var (file, variables) in new[]
                 {
                     ("compose.yaml", ComposeVariables()),
                     ("k8s", KubernetesVariables()),
                     ("ledger.env.sample", EnvSampleVariables()),
                 })
        {
            Assert.True(variables.GetValueOrDefault("ASPNETCORE_ENVIRONMENT") == "Production", file + " does not run Production");
            Assert.True(variables.ContainsKey("ConnectionStrings__Ledger"), file + " sets no ConnectionStrings__Ledger");
            Assert.True(variables.ContainsKey("Ledger__Auth__SigningKey") || variables.ContainsKey("Ledger__Auth__Authority"),
                file + " sets neither Ledger__Auth__SigningKey nor Ledger__Auth__Authority");
            Assert.True(variables.ContainsKey("Ledger__Audit__SigningKey") || variables.ContainsKey("Ledger__Audit__KeyFile"),
                file + " sets neither Ledger__Audit__SigningKey nor Ledger__Audit__KeyFile");
        }

        // compose refuses to run without the keys rather than handing the nodes empty values.
        var compose = ComposeVariables();
        Assert.StartsWith("${LEDGER_AUTH_SIGNING_KEY:?", compose["Ledger__Auth__SigningKey"], StringComparison.Ordinal);
        Assert.StartsWith("${LEDGER_AUDIT_SIGNING_KEY:?", compose["Ledger__Audit__SigningKey"], StringComparison.Ordinal);
    }

    /// <summary>Every environment variable set for the service by compose.yaml, the Kubernetes manifests, the Dockerfile and ledger.env.sample.</summary>
    private static Dictionary<string, string> DeployedVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in ComposeVariables().Concat(KubernetesVariables()).Concat(DockerfileVariables()).Concat(EnvSampleVariables()))
        {
            variables[name] = value;
        }

        return variables;
    }

    private static Dictionary<string, string> ComposeVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var ledger = Map(Map(Single(Path.Combine(Deploy, "compose.yaml")), "services"), "ledger");
        foreach (var (key, value) in Map(ledger, "environment").Children)
        {
            variables[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!;
        }

        return variables;
    }

    /// <summary>The ConfigMap's data and the Deployment's env (secret values shown as "(secret)").</summary>
    private static Dictionary<string, string> KubernetesVariables()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var manifest in Directory.GetFiles(Path.Combine(Deploy, "k8s"), "*.yaml").SelectMany(Load).Select(d => (YamlMappingNode)d.RootNode))
        {
            if (Scalar(manifest, "kind") == "ConfigMap")
            {
                foreach (var (key, value) in Map(manifest, "data").Children)
                {
                    variables[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!;
                }
            }
            else if (Scalar(manifest, "kind") == "Deployment")
            {
                var pod = Map(Map(Map(manifest, "spec"), "template"), "spec");
                foreach (var container in ((YamlSequenceNode)pod.Children["containers"]).Children.Cast<YamlMappingNode>())
                {
                    foreach (var env in ((YamlSequenceNode)container.Children["env"]).Children.Cast<YamlMappingNode>())
                    {
                        variables[Scalar(env, "name")] = "(secret)";
                    }
                }
            }
        }

        return variables;
    }

    private static Dictionary<string, string> DockerfileVariables() =>
        File.ReadAllLines(Path.Combine(Deploy, "Dockerfile"))
            .Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .Select(l => Split(l[4..].Trim()))
            .ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    private static Dictionary<string, string> EnvSampleVariables() =>
        File.ReadAllLines(Path.Combine(Deploy, "ledger.env.sample"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(Split)
            .ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    private static (string Name, string Value) Split(string assignment) => assignment.IndexOf('=') is var at and > 0
        ? (assignment[..at], assignment[(at + 1)..])
        : throw new InvalidOperationException("not NAME=value: " + assignment);

    /// <summary>How .NET maps an environment variable to a configuration key.</summary>
    private static string ConfigurationKey(string variable)
    {
        foreach (var prefix in new[] { "ASPNETCORE_", "DOTNET_" })
        {
            if (variable.StartsWith(prefix, StringComparison.Ordinal))
            {
                variable = variable[prefix.Length..];
            }
        }

        return variable.Replace("__", ":", StringComparison.Ordinal);
    }

    /// <summary>
    /// Composes and starts the service as Program.cs does, with the deployed variables as its
    /// highest-priority configuration, resolves every options type it registered, serves one
    /// request, and returns every key it asked the configuration for.
    /// </summary>
    private static async Task<HashSet<string>> KeysTheServiceAsksForAsync(IReadOnlyDictionary<string, string> variables, string connectionString)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Ledger"] = connectionString,
            ["Ledger:Auth:SigningKey"] = TestTokens.Key,
            ["Ledger:Audit:SigningKey"] = TestAuditKey.Pkcs8,
            ["Ledger:Webhooks:SecretKey"] = TestWebhookKey.Base64,
        });
        var recording = new RecordingSource(variables.ToDictionary(v => ConfigurationKey(v.Key), v => v.Value, StringComparer.OrdinalIgnoreCase));
        ((IConfigurationBuilder)builder.Configuration).Add(recording);

        var database = await LedgerDatabase.ResolveAsync(builder);
        builder.AddLedger(database);
        var optionTypes = builder.Services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct()
            .ToList();
        await using var app = builder.Build();
        app.UseLedger();
        await app.StartAsync();
        try
        {
            foreach (var type in optionTypes)
            {
                var options = app.Services.GetService(typeof(IOptions<>).MakeGenericType(type));
                _ = options?.GetType().GetProperty("Value")!.GetValue(options);
            }

            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            (await client.GetAsync("/health/ready")).EnsureSuccessStatusCode();
        }
        finally
        {
            await app.StopAsync();
        }

        return recording.Provider.Asked;
    }

    private sealed class RecordingSource(IDictionary<string, string> values) : IConfigurationSource
    {
        public RecordingProvider Provider { get; } = new(values);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
    }

    /// <summary>Serves the deployed values (all but the withheld ones) and records every key asked of it; asked first, as the last source added.</summary>
    private sealed class RecordingProvider : ConfigurationProvider
    {
        public RecordingProvider(IDictionary<string, string> values)
        {
            foreach (var (key, value) in values)
            {
                Data[key] = value;
            }
        }

        public HashSet<string> Asked { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override bool TryGet(string key, out string? value)
        {
            lock (Asked)
            {
                Asked.Add(key);
            }

            if (Withheld.Contains(key))
            {
                value = null;
                return false;
            }

            return base.TryGet(key, out value);
        }
    }

    private static IList<YamlDocument> Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return stream.Documents;
    }

    private static YamlMappingNode Single(string file) => (YamlMappingNode)Assert.Single(Load(file)).RootNode;

    private static YamlMappingNode Map(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? Assert.IsType<YamlMappingNode>(child) : throw new Xunit.Sdk.XunitException($"no '{key}' mapping");

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? Assert.IsType<YamlScalarNode>(child).Value! : throw new Xunit.Sdk.XunitException($"no '{key}' value");

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        Assert.IsType<YamlSequenceNode>(node.Children[new YamlScalarNode(key)]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

    private static HashSet<string> Keys(YamlMappingNode node) => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet();
}
