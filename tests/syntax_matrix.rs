//! The syntax matrix of the generic assignment grammar (issue 9, item 1): every way
//! code and config files write a credential, in each language or config family where
//! it occurs, once with a real-looking value (must be found) and once with a
//! placeholder (must not). All files go in one temp dir and one real `leakgate scan`
//! judges them, so the matrix costs one process however many rows it has.
//!
//! Values are made up for this test (random-looking, no vendor prefix), so only the
//! generic rules can find them.

mod common;

use common::{leakgate, stdout};
use std::collections::BTreeMap;

/// (file, content, whether a finding must be reported in it).
const MATRIX: &[(&str, &str, bool)] = &[
    // `=` with quotes, in several languages.
    ("py/assign.py", "DB_PASSWORD = \"hT4#kq9Lw2xZ\"\n", true),
    ("py/assign_ph.py", "DB_PASSWORD = \"<your-password>\"\n", false),
    ("js/assign.js", "const apiToken = \"tR8mZ2qL9vX4kW7pB3nY6cJ1\";\n", true),
    ("js/assign_ph.js", "const apiToken = \"xxxxxxxxxxxxxxxxxxxxxxxx\";\n", false),
    ("rb/assign.rb", "config.secret_key = 'q7WbX2mK9pLz4RtY8vNc3HsJ'\n", true),
    ("rb/assign_ph.rb", "config.secret_key = 'your-secret-key-here'\n", false),
    // `:=` (Go), `=>` (PHP, Ruby hashes), `.=` (PHP).
    ("go/walrus.go", "\tdbPassword := \"qBu4w%weocv81k2lsNaW\"\n", true),
    ("go/walrus_ph.go", "\tdbPassword := \"changeme\"\n", false),
    ("php/arrow.php", "    'password' => 'BWZRZX1VlxeVZ4DNCNnO',\n", true),
    ("php/arrow_ph.php", "    'password' => '${DB_PASSWORD}',\n", false),
    ("php/append.php", "$password .= \"Qm3%Tz8wLp1R\";\n", true),
    ("php/append_ph.php", "$password .= \"dummy\";\n", false),
    // Typed declarations: Go, TypeScript, Kotlin, Python annotations, Java, C#.
    ("go/typed.go", "var token string = \"kW7pB3nY6cJ1tR8mZ2qL9vX4\"\n", true),
    ("go/typed_ph.go", "var token string = \"YOUR_TOKEN_HERE\"\n", false),
    ("ts/typed.ts", "const apiKey: string = 'q7WbX2mK9pLz4RtY8vNc3HsJ';\n", true),
    ("ts/typed_ph.ts", "const apiKey: string = '<API_KEY>';\n", false),
    ("kt/typed.kt", "    val password: String = \"N8v!q2LmZr5x\"\n", true),
    ("kt/typed_ph.kt", "    val password: String = \"password\"\n", false),
    ("py/typed.py", "API_TOKEN: str = \"tR8mZ2qL9vX4kW7pB3nY6cJ1\"\n", true),
    ("py/typed_ph.py", "API_TOKEN: str = \"replace-me-with-token\"\n", false),
    ("java/Typed.java", "    String secret = \"k9Lm2Qx7Rt4Zp8wVb3Nc\";\n", true),
    ("java/Typed_ph.java", "    String secret = \"example-secret-value\";\n", false),
    ("cs/Typed.cs", "    private const string ApiKey = \"Hs7Jq2Wb9Xm4Kp8Lz3Rt\";\n", true),
    ("cs/Typed_ph.cs", "    private const string ApiKey = \"INSERT_API_KEY\";\n", false),
    // Go raw strings in backticks.
    ("go/backtick.go", "\tpassword := `Zk8!mQ2vT7xR`\n", true),
    ("go/backtick_ph.go", "\tpassword := `changeme`\n", false),
    // Values with % ! : # in them.
    ("py/symbols.py", "client_secret = \"k9#Lm2:Qx7%Rt4!Zp8wV\"\n", true),
    ("py/symbols_ph.py", "client_secret = \"%(client_secret)s\"\n", false),
    // JSON and YAML, quoted.
    ("json/config.json", "{\"db\": {\"password\": \"wRkl8OZfIa2AUk7*z7gT\"}}\n", true),
    ("json/config_ph.json", "{\"db\": {\"password\": \"<password>\"}}\n", false),
    ("yaml/quoted.yml", "auth_token: \"8d9d59ce6ca6b0b9658d7dbc036095e68de96039\"\n", true),
    ("yaml/quoted_ph.yml", "auth_token: \"{{ .Values.token }}\"\n", false),
    // Unquoted values in config families: .env, ini, YAML, properties, shell, Docker.
    (".env", "DB_HOST=db\nDB_PASSWORD=AgBEHum3adzqxMhG\n", true),
    ("ph/.env", "DB_PASSWORD=${DB_PASSWORD}\n", false),
    ("ini/app.ini", "[database]\npassword = l3tae%Y5jvDR3q9l\n", true),
    ("ini/app_ph.ini", "[database]\npassword = changeme\n", false),
    ("yaml/values.yaml", "auth:\n  apiKey: XKvFmgYOb8cBdum7dQslr57QqaKHsmUx\n", true),
    ("yaml/values_ph.yaml", "auth:\n  apiKey: {{ .Values.apiKey }}\n", false),
    ("props/app.properties", "app.client.secret=P*%-jEE@D1Y@jEGP\n", true),
    ("props/app_ph.properties", "app.client.secret=${CLIENT_SECRET}\n", false),
    ("sh/deploy.sh", "export REGISTRY_PASSWORD=x%uD!Am3zwr8FwGv\n", true),
    ("sh/deploy_ph.sh", "export REGISTRY_PASSWORD=$1\n", false),
    ("docker/Dockerfile", "ENV API_TOKEN=hkwyjStHqmCd89bwojMf13ybw8u4ypIjXebblnov\n", true),
    ("docker_ph/Dockerfile", "ENV API_TOKEN=${API_TOKEN}\n", false),
    // make's `?=` and `::=`.
    ("make/Makefile", "DEPLOY_TOKEN ?= hX9kQ2mZ7vL4pR8wT3nB\n", true),
    ("make_ph/Makefile", "DEPLOY_TOKEN ?= $(shell cat token.txt)\n", false),
    ("make/vars.mk", "REGISTRY_PASSWORD ::= Jq7!vR2mXz9L\n", true),
    ("make/vars_ph.mk", "REGISTRY_PASSWORD ::= changeme\n", false),
    // Key names: camelCase, snake_case, kebab-case, vendor prefixes.
    ("names/camel.js", "const fooApiKey = \"Wb9Xm4Kp8Lz3RtHs7Jq2\";\n", true),
    ("names/snake.py", "FOO_SECRET_KEY = \"Wb9Xm4Kp8Lz3RtHs7Jq2\"\n", true),
    ("names/kebab.yml", "foo-token: \"Wb9Xm4Kp8Lz3RtHs7Jq2\"\n", true),
    ("names/ph.yml", "foo-token: \"your-foo-token\"\n", false),
    // XML elements.
    ("xml/settings.xml", "<server>\n  <password>ieCIPnINFB44@cHjXp</password>\n</server>\n", true),
    ("xml/settings_ph.xml", "<server>\n  <password>${env.PASSWORD}</password>\n</server>\n", false),
    // URLs with a password.
    ("url/proxy.py", "PROXY = \"http://proxyuser:KxrKw1nNx1XmjIMG@proxy.corp:3128\"\n", true),
    ("url/proxy_ph.py", "PROXY = \"http://user:password@proxy:3128\"\n", false),
    // Authorization headers (curl -H, HTTP files).
    (
        "cmd/curl.sh",
        "curl -H \"Authorization: Bearer R2zufwl8Y2WVWHnATriHmaVXOEpLJ0qrqKd~HsF0\" https://api.vendor.test/v2\n",
        true,
    ),
    (
        "cmd/curl_ph.sh",
        "curl -H \"Authorization: Bearer $TOKEN\" https://api.vendor.test/v2\n",
        false,
    ),
    // Call arguments: the name and the value as two literals, and login-style calls.
    ("call/Props.java", "System.setProperty(\"API_KEY\", \"Wb9Xm4Kp8Lz3RtHs7Jq2\");\n", true),
    ("call/Props_ph.java", "System.setProperty(\"API_KEY\", System.getenv(\"API_KEY\"));\n", false),
    ("call/put.kt", "props.put(\"secret\", \"Hs7Jq2Wb9Xm4Kp8Lz3Rt\")\n", true),
    ("call/put_ph.kt", "props.put(\"secret\", \"your-secret-here\")\n", false),
    ("call/setdefault.py", "os.environ.setdefault(\"TOKEN\", \"tR8mZ2qL9vX4kW7pB3nY6cJ1\")\n", true),
    ("call/setdefault_ph.py", "os.environ.setdefault(\"TOKEN\", \"<token>\")\n", false),
    ("call/configset.py", "config.set('auth_token', 'q7WbX2mK9pLz4RtY8vNc3HsJ')\n", true),
    ("call/configset_ph.py", "config.set('auth_token', 'xxxxxxxxxxxxxxxx')\n", false),
    ("call/headers.ts", "headers.set(\"X-Api-Key\", \"Hs7Jq2Wb9Xm4Kp8Lz3Rt\");\n", true),
    ("call/headers_ph.ts", "headers.set(\"X-Api-Key\", apiKey);\n", false),
    ("call/Db.java", "props.put(\"password\", \"hT4#kq9Lw2xZ\");\n", true),
    ("call/Db_ph.java", "props.put(\"password\", \"changeme\");\n", false),
    ("call/login.py", "server.login(\"alerts@corp.example\", \"Zk8!mQ2vT7xR\")\n", true),
    ("call/login_ph.py", "server.login(user, password)\n", false),
    ("call/auth.py", "requests.get(url, auth=(\"deploy\", \"qBu4w%weocv81k\"))\n", true),
    ("call/auth_ph.py", "requests.get(url, auth=(\"deploy\", os.environ[\"PW\"]))\n", false),
    ("call/basic.go", "\treq.SetBasicAuth(user, \"hX9kQ2mZ7vL4\")\n", true),
    ("call/basic_ph.go", "\treq.SetBasicAuth(user, pass)\n", false),
    ("call/Mail.cs", "var c = new NetworkCredential(\"svc\", \"Jq7!vR2mXz9L\");\n", true),
    ("call/Mail_ph.cs", "var c = new NetworkCredential(\"svc\", \"<password>\");\n", false),
    // JSON strings that hold escaped assignments.
    ("json/env.json", "{\"env\": \"DB_HOST=db\\nDB_PASSWORD=AgBEHum3adzqxMhG\\n\"}\n", true),
    ("json/env_ph.json", "{\"env\": \"DB_HOST=db\\nDB_PASSWORD=${DB_PASSWORD}\\n\"}\n", false),
    ("json/args.json", "{\"args\": [\"-e\", \"API_TOKEN=hkwyjStHqmCd89bwojMf\"]}\n", true),
    ("json/args_ph.json", "{\"args\": [\"-e\", \"API_TOKEN=changeme\"]}\n", false),
    // XML attributes, multi-line element bodies, Jenkins credentials.xml.
    ("xml/Web.config", "<appSettings>\n  <add key=\"ApiKey\" value=\"MfSbdKfOi3AmB4QQLLbb\"/>\n</appSettings>\n", true),
    ("xml_ph/Web.config", "<appSettings>\n  <add key=\"ApiKey\" value=\"${API_KEY}\"/>\n</appSettings>\n", false),
    ("xml/build.xml", "<property name=\"db.password\" value=\"cK#42P*E-nKYAiJ6!R\"/>\n", true),
    ("xml/build_ph.xml", "<property name=\"db.password\" value=\"changeme\"/>\n", false),
    ("xml/attr.xml", "<datasource user=\"app\" password=\"Xy7!kq2Lm9Tz\"/>\n", true),
    ("xml/attr_ph.xml", "<datasource user=\"app\" password=\"${DB_PASSWORD}\"/>\n", false),
    ("xml/body.xml", "<apiKey>\n    MfSbdKfOi3AmB4QQLLbbhZunnQOgaB18\n</apiKey>\n", true),
    ("xml/body_ph.xml", "<apiKey>\n    ${API_KEY}\n</apiKey>\n", false),
    (
        "jenkins/credentials.xml",
        "<com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n  <username>deploy</username>\n  <password>{AQAAABAAAAAQ1/JHKggxIlBcuVqegoa2AdyVaNvjWIFk430/vI4jEBM=}</password>\n</com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl>\n",
        true,
    ),
    ("jenkins/plain/credentials.xml", "<secret>\n  Gja3o3kV#2WHPSoI_F\n</secret>\n", true),
    ("jenkins_ph/credentials.xml", "<password>${JENKINS_PASSWORD}</password>\n<secret></secret>\n", false),
    // Space-separated rc files: netrc, pypirc, msmtp, fetchmail, mutt, redis.
    ("rc/.netrc", "machine ci.corp.example login deploy password XA7s-B0hS17prPXQSY\n", true),
    // (a .netrc file is a finding by its path alone: the placeholder is written by a script)
    (
        "rc_ph/netrc.sh",
        "echo \"machine ci.corp.example login deploy password $CI_TOKEN\" > ~/.netrc\n",
        false,
    ),
    ("rc/.pypirc", "[pypi]\nusername = deploy\npassword = ieCIPnINFB44cHjXp\n", true),
    ("rc_ph/.pypirc", "[pypi]\nusername = deploy\npassword = <your-password>\n", false),
    ("rc/.msmtprc", "account default\nuser alerts\npassword Qm3%Tz8wLp1R\n", true),
    ("rc_ph/.msmtprc", "account default\nuser alerts\npasswordeval \"pass show mail\"\n", false),
    ("rc/.fetchmailrc", "poll mail.corp.example user 'ops' password 'hX9kQ2mZ7vL4' is 'ops' here\n", true),
    ("rc_ph/.fetchmailrc", "poll mail.corp.example user 'ops' password 'changeme' is 'ops' here\n", false),
    ("rc/.muttrc", "set smtp_pass = \"Jq7!vR2mXz9L\"\n", true),
    ("rc_ph/.muttrc", "set smtp_pass = \"`pass show mail`\"\n", false),
    ("rc/redis.conf", "requirepass Zk8mQ2vT7xRq\n", true),
    ("rc_ph/redis.conf", "# requirepass foobared\n", false),
    // Command lines: curl -u / -H / -d, URLs, psexec, PowerShell, mysql, sshpass.
    ("cli/curl_u.sh", "curl -u deploy:qBu4w%weocv81k https://ci.corp.example/api\n", true),
    ("cli/curl_u_ph.sh", "curl -u \"$CI_USER:$CI_PASSWORD\" https://ci.corp.example/api\n", false),
    ("cli/curl_h.sh", "curl -H 'X-Api-Key: Wb9Xm4Kp8Lz3RtHs7Jq2' https://api.vendor.test/v1\n", true),
    ("cli/curl_h_ph.sh", "curl -H \"X-Api-Key: $API_KEY\" https://api.vendor.test/v1\n", false),
    ("cli/curl_d.sh", "curl https://auth.vendor.test/x -d access_token=tR8mZ2qL9vX4kW7pB3nY6cJ1\n", true),
    ("cli/curl_d_ph.sh", "curl https://auth.vendor.test/x -d access_token=$ACCESS_TOKEN\n", false),
    ("cli/url.md", "Open https://api.vendor.test/v1/items?limit=5&api_key=nWZTRTpysCW9f4CA96qeGs6R3uYEIi75\n", true),
    ("cli/url_ph.md", "Open https://api.vendor.test/v1/items?limit=5&api_key=YOUR_API_KEY\n", false),
    ("cli/ws.js", "const ws = new WebSocket(\"wss://feed.vendor.test/s?token=kW7pB3nY6cJ1tR8mZ2qL9vX4\");\n", true),
    ("cli/ws_ph.js", "const ws = new WebSocket(`wss://feed.vendor.test/s?token=${token}`);\n", false),
    ("cli/psexec.bat", "psexec \\\\srv01 -u admin -p Jq7!vR2mXz9L cmd.exe\n", true),
    ("cli/psexec_ph.bat", "psexec \\\\srv01 -u admin -p %ADMIN_PASSWORD% cmd.exe\n", false),
    ("cli/user.ps1", "New-LocalUser -Name svc -Password N8vq2LmZr5x\n", true),
    ("cli/user_ph.ps1", "New-LocalUser -Name svc -Password $Password\n", false),
    ("cli/secure.ps1", "$pw = ConvertTo-SecureString \"Qm3%Tz8wLp1R\" -AsPlainText -Force\n", true),
    ("cli/secure_ph.ps1", "$pw = ConvertTo-SecureString $env:PW -AsPlainText -Force\n", false),
    ("cli/mysql.sh", "mysqldump -u root -phT4kq9Lw2xZ shop > shop.sql\n", true),
    ("cli/mysql_ph.sh", "mysqldump -u root -p shop > shop.sql\n", false),
    ("cli/sshpass.sh", "sshpass -p 'Zk8!mQ2vT7xR' ssh ops@10.0.0.5\n", true),
    ("cli/sshpass_ph.sh", "sshpass -p \"$SSHPASS\" ssh ops@10.0.0.5\n", false),
    ("cli/args.py", "subprocess.run([\"app\", \"--password\", \"Hs7Jq2Wb9Xm4\"])\n", true),
    ("cli/args_ph.py", "subprocess.run([\"app\", \"--password\", password])\n", false),
    // Log lines.
    ("logs/app.log", "2024-05-01 10:00:01 [DEBUG] Using key=Wb9Xm4Kp8Lz3RtHs7Jq2 for upload\n", true),
    ("logs_ph/app.log", "2024-05-01 10:00:01 [DEBUG] Using key=[REDACTED] for upload\n", false),
    ("logs/build.log", "[INFO] auth ok, token: tR8mZ2qL9vX4kW7pB3nY6cJ1 (expires 3600)\n", true),
    ("logs_ph/build.log", "[INFO] auth ok, token: ******** (expires 3600)\n", false),
    // Not secrets: redaction markers, SOPS ciphertext, labels, public keys, CSRF.
    ("not/filtered.yml", "password: \"[FILTERED]\"\n", false),
    ("not/label.ts", "const passwordLabel = \"Password:\";\n", false),
    (
        "not/sops.yaml",
        "api_key: \"ENC[AES256_GCM,data:Tr7o1r4Lq9Zm2W,iv:9Xq0MTn+1Ak=,type:str]\"\n",
        false,
    ),
    ("not/publishable.js", "const publishableKey = \"q7WbX2mK9pLz4RtY8vNc3HsJ\";\n", false),
    (
        "not/csrf.yml",
        "authenticity_token: \"Zm9vYmFyYmF6MTIzNDU2Nzg5MGFiY2RlZg==\"\n",
        false,
    ),
    // Structured identifiers are not secrets: ARNs, version-counter update tokens.
    (
        "not/arn.py",
        "kms_key = \"arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d\"\n",
        false,
    ),
    ("not/update.json", "{\"PolicyUpdateToken\": \"1:p+2RpKR4wPFx7mcrL1UOQQ==\"}\n", false),
    // Comparisons are not assignments.
    ("not/compare.py", "if password == \"Tr0ub4dor3x\":\n    pass\n", false),
];

#[test]
fn every_syntax_fires_on_a_value_and_not_on_a_placeholder() {
    let dir = tempfile::tempdir().unwrap();
    for (path, content, _) in MATRIX {
        let file = dir.path().join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, content).unwrap();
    }
    let out = leakgate(dir.path())
        .args(["scan", ".", "--no-config", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in report["findings"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap().trim_start_matches("./");
        let rule = f["rule_id"].as_str().unwrap().to_string();
        found.entry(path.to_string()).or_default().push(rule);
    }
    let wrong: Vec<String> = MATRIX
        .iter()
        .filter(|(path, _, fire)| found.contains_key(*path) != *fire)
        .map(|(path, content, fire)| {
            let what = if *fire { "missed" } else { "false positive" };
            format!("{what}: {path}: {content:?} -> {:?}", found.get(*path))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
