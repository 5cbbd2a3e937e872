package slackgen

// Vocabulary of the synthetic workspace.
var (
	firstNames = []string{"Ann", "Bob", "Chloé", "Dmitri", "Eve", "Farid", "Grace", "Hiro", "Ines", "José",
		"Kofi", "Lena", "Mateo", "Nadia", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tara"}
	lastNames    = []string{"Martin", "Nguyen", "Okafor", "Schmidt", "García", "Kowalski", "Tanaka", "Dubois", "Silva", "Haddad"}
	channelNames = []string{"incidents", "ops-alerts", "payments-eng", "sre", "support-escalations", "deploys"}
	services     = []string{"checkout", "payments-api", "ledger", "auth", "search", "cdn-edge", "postgres-main", "kafka", "notifications"}
	alerts       = []string{"HighErrorRate", "LatencyP99High", "PodCrashLooping", "DiskPressure", "ReplicationLag", "CertExpiringSoon"}
	fileNames    = []string{"grafana-snapshot.png", "error-rate.png", "heap-profile.pb.gz", "timeline.csv", "runbook.pdf", "trace.json"}
	reactions    = []string{"eyes", "+1", "white_check_mark", "rotating_light", "pray", "fire"}
	bots         = []struct{ id, name string }{{"B0000001", "Alertmanager"}, {"B0000002", "PagerDuty"}, {"B0000003", "deploy-bot"}}
	words        = []string{
		"the", "a", "to", "is", "we", "it", "on", "in", "and", "of", "for", "this", "that", "with", "not", "be",
		"looks", "like", "deploy", "rollback", "rolled", "back", "error", "errors", "rate", "spike", "latency",
		"p99", "timeout", "timeouts", "connection", "pool", "exhausted", "database", "replica", "lag", "primary",
		"failover", "cache", "miss", "hit", "ratio", "dropped", "retry", "retries", "queue", "backlog", "consumer",
		"paged", "on-call", "acked", "investigating", "mitigated", "resolved", "monitoring", "customers", "seeing",
		"5xx", "502s", "503s", "checkout", "payments", "ledger", "auth", "tokens", "expired", "certificate",
		"config", "change", "flag", "feature", "disabled", "enabled", "canary", "region", "eu-west-1", "us-east-1",
		"node", "pods", "restarting", "OOMKilled", "memory", "cpu", "throttled", "disk", "full", "logs", "show",
		"stack", "trace", "null", "pointer", "deadlock", "migration", "lock", "table", "index", "slow", "query",
		"can", "someone", "check", "confirm", "please", "thanks", "ok", "yes", "no", "now", "again", "still",
		"*important*", "_maybe_", "graph", "dashboard", "alert", "threshold", "SLO", "budget", "burn", "minutes",
		"ago", "since", "10:42", "UTC", "ticket", "status", "page", "updated", "postmortem", "action", "item",
	}
)
