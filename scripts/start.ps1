# One-click start on Windows (called by start.bat): the same steps as start.sh.
$ErrorActionPreference = "Stop"
$Root = Split-Path -Parent $PSScriptRoot
Set-Location $Root
$RunDir = Join-Path $Root "data\run"
foreach ($dir in @("data", "work_dir", "logs", "data\run")) { New-Item -ItemType Directory -Force -Path (Join-Path $Root $dir) | Out-Null }
$FrontendPort = if ($env:FRONTEND_PORT) { $env:FRONTEND_PORT } else { "5173" }

function Fail($message) { Write-Host "Error: $message" -ForegroundColor Red; exit 1 }
function Say($message) { Write-Host "==> $message" }
function Is-Running($name) {
    $pidFile = Join-Path $RunDir "$name.pid"
    if (-not (Test-Path $pidFile)) { return $false }
    return [bool](Get-Process -Id (Get-Content $pidFile) -ErrorAction SilentlyContinue)
}
function Start-Background($name, $log, $file, $arguments) {
    $process = Start-Process -FilePath $file -ArgumentList $arguments -RedirectStandardOutput $log `
        -RedirectStandardError "$log.err" -WindowStyle Hidden -PassThru
    Set-Content -Path (Join-Path $RunDir "$name.pid") -Value $process.Id
}

$python = $null
foreach ($candidate in @("py -3.12", "py -3.11", "python")) {
    $exe, $arg = $candidate.Split(" ", 2)
    if (Get-Command $exe -ErrorAction SilentlyContinue) {
        & $exe $arg -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)" 2>$null
        if ($LASTEXITCODE -eq 0) { $python = $candidate; break }
    }
}
if (-not $python) { Fail "Python 3.11 or newer is required (https://www.python.org/downloads/)" }

$venv = Join-Path $Root "backend\.venv"
$aigc = Join-Path $venv "Scripts\aigc.exe"
if (-not (Test-Path (Join-Path $venv "Scripts\python.exe"))) {
    Say "creating virtual environment"
    $exe, $arg = $python.Split(" ", 2)
    & $exe $arg -m venv $venv
}
if (-not (Test-Path $aigc)) {
    Say "installing backend dependencies"
    & (Join-Path $venv "Scripts\python.exe") -m pip install --quiet -e "$Root\backend[test]"
    if ($LASTEXITCODE -ne 0) { Fail "installing the backend failed; see the pip output above" }
}

if (-not (Test-Path (Join-Path $Root ".env"))) {
    Say "writing .env with a generated JWT secret"
    $secret = & (Join-Path $venv "Scripts\python.exe") -c "import secrets; print(secrets.token_urlsafe(48))"
    Set-Content -Path (Join-Path $Root ".env") -Value "JWT_SECRET_KEY=$secret"
}
& $aigc config | Out-Null
if ($LASTEXITCODE -ne 0) { Fail "fix the setting named above in .env or the environment" }
$config = @{}
& $aigc config | ForEach-Object { $k, $v = $_.Split("=", 2); $config[$k] = $v }

Say "migrating the database"
& $aigc db upgrade
if ($LASTEXITCODE -ne 0) { Fail "the migration failed" }

$adminFlag = Join-Path $Root "data\.admin-created"
if (-not (Test-Path $adminFlag)) {
    $adminUser = if ($env:AIGC_ADMIN_USERNAME) { $env:AIGC_ADMIN_USERNAME } else { "admin" }
    if ($env:AIGC_ADMIN_PASSWORD) { & $aigc create-admin --username $adminUser } else { & $aigc create-admin --username $adminUser --generate }
    New-Item -ItemType File -Path $adminFlag | Out-Null
}

$key = $config["ANTHROPIC_API_KEY"]
if ((-not $key) -or ($key -eq "(not set)")) {
    if (-not (Is-Running "demo-model")) {
        Say "no ANTHROPIC_API_KEY: starting the scripted demo model on port $($config['DEMO_MODEL_PORT'])"
        Start-Background "demo-model" (Join-Path $Root "logs\demo-model.log") $aigc @("mock-model", "--port", $config["DEMO_MODEL_PORT"])
    }
}
if (Is-Running "backend") { Say "backend already running" } else {
    Say "starting the backend on http://$($config['HOST']):$($config['PORT'])"
    Start-Background "backend" (Join-Path $Root "logs\backend.stdout.log") $aigc @("serve")
}

$frontend = Join-Path $Root "frontend\aigc-frontend"
if (Test-Path (Join-Path $frontend "package.json")) {
    if (-not (Get-Command npm -ErrorAction SilentlyContinue)) { Fail "Node.js 18+ with npm is required for the web app" }
    if (-not (Test-Path (Join-Path $frontend "node_modules"))) {
        Say "installing the web app's packages"
        Push-Location $frontend; npm install --no-audit --no-fund; $ok = $LASTEXITCODE -eq 0; Pop-Location
        if (-not $ok) { Fail "npm install failed" }
    }
    if (Is-Running "frontend") { Say "web app already running" } else {
        $env:VITE_API_PROXY_TARGET = "http://$($config['HOST']):$($config['PORT'])"
        Start-Background "frontend" (Join-Path $Root "logs\frontend.log") "npm.cmd" @("--prefix", $frontend, "run", "dev", "--", "--host", "127.0.0.1", "--port", $FrontendPort, "--strictPort")
    }
}

Say "waiting for the backend to be healthy"
for ($i = 0; $i -lt 60; $i++) {
    & $aigc health *> $null
    if ($LASTEXITCODE -eq 0) {
        Write-Host ""
        Write-Host "AIGC platform is running"
        Write-Host "  API:      http://$($config['HOST']):$($config['PORT'])/api/v1"
        if (Is-Running "frontend") { Write-Host "  Web app:  http://127.0.0.1:$FrontendPort" }
        Write-Host "  Logs:     $Root\logs"
        Write-Host "  Stop:     scripts\stop.bat"
        exit 0
    }
    Start-Sleep -Seconds 1
}
Fail "the backend did not become healthy within 60 s; see logs\backend.log"
