package pmcorpus

// The synthetic parts of an incident are drawn from these lists. They hold
// what an incident channel is full of: service and host names, error codes,
// alert names, people, ticket keys.

var services = []string{
	"checkout-api", "payments-gateway", "auth-service", "search-indexer", "edge-proxy",
	"user-profile", "notification-worker", "billing", "inventory", "order-service",
	"api-gateway", "session-store", "media-transcoder", "feature-flags", "ledger",
	"recommendations", "cdn", "dns-resolver", "kafka", "postgres-primary",
	"redis-cache", "object-storage", "scheduler", "metrics-pipeline", "ingress",
}

var teams = []string{
	"sre", "platform", "payments", "identity", "data-infra", "networking", "storage",
	"edge", "search", "mobile", "core-api", "security",
}

var groups = []string{"group:security", "group:legal", "group:execs", "group:payments-leads"}

var people = []string{
	"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
	"mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yuki",
}

var hostRoles = []string{"db", "api", "web", "cache", "kafka", "lb", "edge", "dns", "auth", "queue", "worker", "ingress"}

var hostEnvs = []string{"prod", "staging", "us-east-1.prod", "eu-west-1.prod"}

var regions = []string{"us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"}

var errorCodes = []string{
	"ERR_CONN_RESET", "ECONNREFUSED", "ETIMEDOUT", "ERR_TLS_HANDSHAKE", "OOMKilled",
	"CrashLoopBackOff", "SERVFAIL", "NXDOMAIN", "ENOSPC", "ERR_TOO_MANY_REDIRECTS",
	"DeadlineExceeded", "ResourceExhausted", "ThrottlingException", "ERR_CERT_DATE_INVALID",
	"ConnectionPoolTimeoutException", "ReadTimeoutError", "EPIPE", "Unavailable",
}

var httpCodes = []string{"HTTP 500", "HTTP 502", "HTTP 503", "HTTP 504", "HTTP 429"}

var alertNames = []string{
	"HighErrorRate", "HighLatencyP99", "DiskSpaceLow", "CertificateExpiringSoon", "NodeNotReady",
	"ReplicationLagHigh", "PodCrashLooping", "DNSResolutionFailures", "BGPSessionDown",
	"QueueBacklogGrowing", "ConnectionPoolExhausted", "HostDown", "SLOBurnRateFast",
	"MemoryPressure", "TLSHandshakeErrors",
}

var ticketProjects = []string{"OPS", "INFRA", "NET", "DBA", "SEC", "PAY"}

// chatOpeners precede a sentence of the post-mortem when someone says it
// in the channel.
var chatOpeners = []string{
	"", "", "", "fwiw ", "I think ", "looks like ", "update: ", "confirmed: ", "so far: ", "hmm, ",
}

// chatLines are the log-like and procedural lines of an incident channel;
// each verb fills the placeholders: %h host, %e error code, %c HTTP code,
// %s service, %i IP, %n a number, %r region, %t team, %x a commit hash.
var chatLines = []string{
	"seeing %e from %h",
	"%h is returning %c for about %n% of requests",
	"connections to %i:5432 failing with %e",
	"rolled back %s to %x",
	"p99 latency on %s is %nms and climbing",
	"restarting %h",
	"paging %t on-call",
	"anyone looking at %s?",
	"error rate back to normal on %s",
	"`%e` in the %s logs since the deploy of %x",
	"2019-06-13T21:16:03Z ERROR %s upstream connect error or disconnect/reset before headers. reset reason: connection failure (%e)",
	"draining %h from the pool",
	"%s in %r looks healthy, it's only %h",
	"failing over %s to the replica, ETA %n min",
	"customers reporting %c on checkout",
	"ack, looking",
	"+1 same on %h",
	"opened a bridge, join if you're on %t",
	"dig @%i returns %e for the internal zone",
	"increasing the connection pool on %s from 50 to %n",
	"traffic shifted away from %r",
	"curl -v https://%h/healthz -> %c",
	"kubectl get pods -n %s shows %e",
	"status page updated",
}

// alertLines are alert notifications.
var alertLines = []string{
	"[FIRING:1] %a %s (%h) %c rate %n%",
	"[FIRING:%n] %a on %h in %r",
	"[RESOLVED] %a %s (%h)",
	"Triggered: %a for %s — %e seen %n times in 5m",
	"Acknowledged: %a %s by %p",
}

// ticketLines are tracker entries.
var ticketLines = []string{
	"%j: Investigate %e on %s",
	"%j: Add alerting for %a on %s",
	"Created %j to track the %s %c errors",
	"%j: Post-incident review for %s outage in %r",
	"%j: Raise %s timeout and retry budget",
}

// actionTitles are corrective actions; %k is a keyword of the post-mortem.
var actionTitles = []string{
	"Add alerting on %k",
	"Write a runbook for %k",
	"Automate failover of %s",
	"Add a canary stage before %k changes reach production",
	"Load test %s at twice peak traffic",
	"Review timeouts and retries between %s and its dependencies",
	"Remove the single point of failure in %k",
	"Rate limit clients of %s",
	"Audit configuration changes to %s",
	"Document the recovery procedure for %k",
}

// choice is one value of a weighted pick.
type choice struct {
	value  string
	weight int
}

var actionStatuses = []choice{{"done", 45}, {"open", 25}, {"in_progress", 20}, {"wont_do", 10}}

var severities = []choice{{"SEV1", 10}, {"SEV2", 25}, {"SEV3", 40}, {"SEV4", 20}, {"SEV5", 5}}

var statuses = []choice{{"resolved", 85}, {"mitigated", 10}, {"open", 5}}

var sectionKeys = []struct{ key, title string }{
	{"what_happened", "What happened"},
	{"root_cause", "Root cause"},
	{"impact", "Impact"},
	{"lessons", "Lessons learned"},
}

var symptomPrefixes = []string{"Elevated errors: ", "Outage: ", "Degraded service: ", "Partial outage: ", "Incident: "}

var titleSuffixes = []string{" (again)", " during deploy", " after config push", " at peak traffic"}
