// Package aws holds the CloudFormation template of the Lambda deployment;
// its test checks the template's structure and promises.
package aws

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type template struct {
	Parameters map[string]map[string]any `json:"Parameters"`
	Resources  map[string]struct {
		Type       string         `json:"Type"`
		Properties map[string]any `json:"Properties"`
	} `json:"Resources"`
	Outputs map[string]any `json:"Outputs"`
}

func load(t *testing.T) (template, any) {
	t.Helper()
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The template is JSON, which is YAML too: CloudFormation reads it as
	// either, and the standard library parses it.
	var tpl template
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatalf("template.yaml is not JSON: %v", err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	return tpl, tree
}

func (tpl template) one(t *testing.T, typ string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, r := range tpl.Resources {
		if r.Type == typ {
			found = append(found, r.Properties)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(found), typ)
	}
	return found[0]
}

func TestTemplateParametersAndFunction(t *testing.T) {
	tpl, _ := load(t)
	for _, p := range []string{"InstanceARN", "StreamARN", "SolutionSourceBucket"} {
		if _, ok := tpl.Parameters[p]; !ok {
			t.Errorf("parameter %s is missing", p)
		}
	}
	fn := tpl.one(t, "AWS::Lambda::Function")
	if fn["Runtime"] != "provided.al2023" || fn["Handler"] != "bootstrap" {
		t.Errorf("function runtime %v handler %v", fn["Runtime"], fn["Handler"])
	}
	code := fn["Code"].(map[string]any)
	if ref(code["S3Bucket"]) != "SolutionSourceBucket" {
		t.Errorf("code bucket %v", code["S3Bucket"])
	}
	vars := fn["Environment"].(map[string]any)["Variables"].(map[string]any)
	// What cmd/hush-lambda reads (config.go).
	for _, v := range []string{"HUSH_TABLE", "HUSH_CONNECT_INSTANCE_ARN", "HUSH_CONNECT_RECORDING_TYPES", "HUSH_CONNECT_RATE",
		"HUSH_CONNECT_BURST", "HUSH_CONNECT_SHARDS", "HUSH_CONNECT_MAX_RECORD_AGE", "HUSH_CONNECT_AGENT_ID",
		"HUSH_CONNECT_RECORDING_STATE", "HUSH_DEADLINE_MARGIN", "HUSH_LOG_LEVEL"} {
		if _, ok := vars[v]; !ok {
			t.Errorf("environment variable %s is not set", v)
		}
	}
	for v := range vars {
		if !strings.HasPrefix(v, "HUSH_") {
			t.Errorf("unexpected environment variable %s", v)
		}
	}
	table := tpl.one(t, "AWS::DynamoDB::Table")
	keys, _ := json.Marshal(table["KeySchema"])
	if string(keys) != `[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}]` {
		t.Errorf("table key schema %s: the store uses pk and sk", keys)
	}
}

func TestTemplateEventSourceMapping(t *testing.T) {
	tpl, _ := load(t)
	esm := tpl.one(t, "AWS::Lambda::EventSourceMapping")
	if ref(esm["EventSourceArn"]) != "StreamARN" || ref(esm["FunctionName"]) == "" {
		t.Errorf("mapping source %v function %v", esm["EventSourceArn"], esm["FunctionName"])
	}
	if types, _ := esm["FunctionResponseTypes"].([]any); !slices.Contains(types, any("ReportBatchItemFailures")) {
		t.Errorf("FunctionResponseTypes %v", esm["FunctionResponseTypes"])
	}
	if esm["BisectBatchOnFunctionError"] != true {
		t.Errorf("BisectBatchOnFunctionError %v", esm["BisectBatchOnFunctionError"])
	}
	if p := tpl.Parameters[ref(esm["StartingPosition"])]; p == nil || p["Default"] != "LATEST" {
		t.Errorf("StartingPosition %v: want a parameter, LATEST by default", esm["StartingPosition"])
	}
	for _, k := range []string{"MaximumRetryAttempts", "MaximumRecordAgeInSeconds"} {
		p, ok := tpl.Parameters[ref(esm[k])]
		if !ok {
			t.Errorf("%s = %v: want a parameter", k, esm[k])
			continue
		}
		if _, bounded := p["MaxValue"]; !bounded || p["Default"] == nil {
			t.Errorf("%s parameter %v: want a default and a bound", k, p)
		}
	}
	dest := esm["DestinationConfig"].(map[string]any)["OnFailure"].(map[string]any)["Destination"]
	if att := getAtt(dest); len(att) != 2 || tpl.Resources[att[0]].Type != "AWS::SQS::Queue" || att[1] != "Arn" {
		t.Errorf("on-failure destination %v: want an SQS queue's Arn", dest)
	}
}

func TestTemplateLeastPrivilege(t *testing.T) {
	tpl, _ := load(t)
	role := tpl.one(t, "AWS::IAM::Role")
	var statements []map[string]any
	for _, p := range role["Policies"].([]any) {
		for _, s := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			// A conditional statement: check what it grants when it holds.
			if cond, ok := st["Fn::If"].([]any); ok {
				st = cond[1].(map[string]any)
			}
			statements = append(statements, st)
		}
	}
	if _, ok := role["ManagedPolicyArns"]; ok {
		t.Error("managed policies grant more than the function needs")
	}
	byService := map[string][]string{}
	for _, s := range statements {
		if s["Effect"] != "Allow" {
			continue
		}
		if r, ok := s["Resource"].(string); ok && strings.Contains(r, "*") {
			t.Errorf("statement %v: a wildcard resource", s["Sid"])
		}
		for _, a := range s["Action"].([]any) {
			action := a.(string)
			if strings.Contains(action, "*") {
				t.Errorf("wildcard action %s", action)
			}
			svc, _, _ := strings.Cut(action, ":")
			byService[svc] = append(byService[svc], action)
		}
		if slices.ContainsFunc(s["Action"].([]any), func(a any) bool { return strings.HasPrefix(a.(string), "connect:") }) {
			if sub, _ := s["Resource"].(map[string]any)["Fn::Sub"].(string); sub != "${InstanceARN}/contact/*" {
				t.Errorf("connect actions on %v: want the instance's contacts only", s["Resource"])
			}
		}
	}
	connect := byService["connect"]
	slices.Sort(connect)
	if want := []string{"connect:ResumeContactRecording", "connect:StartContactRecording", "connect:StopContactRecording", "connect:SuspendContactRecording"}; !slices.Equal(connect, want) {
		t.Errorf("connect actions %v, want %v", connect, want)
	}
	for _, a := range byService["kinesis"] {
		if strings.HasPrefix(a, "kinesis:Put") || strings.HasPrefix(a, "kinesis:Delete") {
			t.Errorf("kinesis action %s is not a read", a)
		}
	}
	for _, a := range byService["dynamodb"] {
		if a == "dynamodb:Scan" || strings.Contains(a, "Table") {
			t.Errorf("dynamodb action %s is not needed", a)
		}
	}
}

var pseudo = map[string]bool{"AWS::AccountId": true, "AWS::Region": true, "AWS::StackName": true, "AWS::Partition": true, "AWS::URLSuffix": true, "AWS::NoValue": true}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// Every Ref, GetAtt and ${} names a parameter, a resource or a pseudo
// parameter.
func TestTemplateReferencesResolve(t *testing.T) {
	tpl, tree := load(t)
	known := func(name string) bool {
		_, p := tpl.Parameters[name]
		_, r := tpl.Resources[name]
		return p || r || pseudo[name]
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if r, ok := v["Ref"].(string); ok && !known(r) {
				t.Errorf("Ref %s resolves to nothing", r)
			}
			if att := getAtt(v); len(att) > 0 {
				if _, ok := tpl.Resources[att[0]]; !ok {
					t.Errorf("GetAtt %v resolves to nothing", att)
				}
			}
			if s, ok := v["Fn::Sub"].(string); ok {
				for _, m := range subVar.FindAllStringSubmatch(s, -1) {
					name, _, _ := strings.Cut(m[1], ".")
					if !known(name) {
						t.Errorf("Fn::Sub %q: %s resolves to nothing", s, m[1])
					}
				}
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(tree.(map[string]any)["Resources"])
	walk(tree.(map[string]any)["Outputs"])
}

func ref(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["Ref"].(string)
	return s
}

func getAtt(v any) []string {
	m, _ := v.(map[string]any)
	att, _ := m["Fn::GetAtt"].([]any)
	var out []string
	for _, a := range att {
		s, _ := a.(string)
		out = append(out, s)
	}
	return out
}

// The stack's own name never becomes part of a resource name: names are
// generated, so a long stack name (up to 128 characters) still deploys,
// where a function name is limited to 64.
func TestTemplateSurvivesLongStackNames(t *testing.T) {
	_, tree := load(t)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if strings.HasSuffix(k, "Name") && k != "AttributeName" && k != "PolicyName" && k != "FunctionName" {
					t.Errorf("%s.%s names a resource: let CloudFormation generate it", path, k)
				}
				if k == "FunctionName" && ref(x) == "" {
					t.Errorf("%s.FunctionName = %v: want a Ref to the generated function", path, x)
				}
				walk(path+"."+k, x)
			}
		case []any:
			for _, x := range v {
				walk(path, x)
			}
		case string:
			if strings.Contains(v, "AWS::StackName") {
				t.Errorf("%s uses the stack name: %q", path, v)
			}
		}
	}
	walk("Resources", tree.(map[string]any)["Resources"])
	fn := tree.(map[string]any)["Resources"].(map[string]any)["Function"].(map[string]any)["Properties"].(map[string]any)
	if lg := fn["LoggingConfig"].(map[string]any)["LogGroup"]; ref(lg) != "LogGroup" {
		t.Errorf("the function logs to %v, want the stack's log group", lg)
	}
}

// An encrypted stream needs kms:Decrypt on its key, and only then.
func TestTemplateStreamKMSKey(t *testing.T) {
	tpl, tree := load(t)
	p, ok := tpl.Parameters["StreamKMSKeyARN"]
	if !ok || p["Default"] != "" {
		t.Fatalf("StreamKMSKeyARN parameter %v: want an optional one", p)
	}
	pattern := regexp.MustCompile(p["AllowedPattern"].(string))
	for arn, want := range map[string]bool{
		"": true,
		"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab": true,
		"arn:aws:kms:eu-west-1:123456789012:alias/mine":                               false,
		"*": false,
	} {
		if pattern.MatchString(arn) != want {
			t.Errorf("StreamKMSKeyARN %q accepted = %v", arn, !want)
		}
	}
	cond, _ := json.Marshal(tree.(map[string]any)["Conditions"].(map[string]any)["StreamIsEncrypted"])
	if string(cond) != `{"Fn::Not":[{"Fn::Equals":[{"Ref":"StreamKMSKeyARN"},""]}]}` {
		t.Errorf("StreamIsEncrypted = %s", cond)
	}
	role := tpl.one(t, "AWS::IAM::Role")
	found := false
	for _, pol := range role["Policies"].([]any) {
		for _, s := range pol.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			acts, _ := json.Marshal(st["Action"])
			if strings.Contains(string(acts), "kms:") {
				t.Errorf("statement %v grants kms unconditionally", st["Sid"])
			}
			cond, ok := st["Fn::If"].([]any)
			if !ok {
				continue
			}
			grant := cond[1].(map[string]any)
			acts, _ = json.Marshal(grant["Action"])
			if cond[0] != "StreamIsEncrypted" || string(acts) != `["kms:Decrypt"]` || ref(grant["Resource"]) != "StreamKMSKeyARN" || ref(cond[2]) != "AWS::NoValue" {
				t.Errorf("conditional statement %v", cond)
			}
			found = true
		}
	}
	if !found {
		t.Error("no kms:Decrypt for an encrypted stream")
	}
}
