# Stop exactly what start.ps1 started (pid files in data\run), with their child processes.
$Root = Split-Path -Parent $PSScriptRoot
$RunDir = Join-Path $Root "data\run"
foreach ($name in @("frontend", "backend", "demo-model")) {
    $pidFile = Join-Path $RunDir "$name.pid"
    if (-not (Test-Path $pidFile)) { continue }
    $id = Get-Content $pidFile
    if (Get-Process -Id $id -ErrorAction SilentlyContinue) {
        Write-Host "==> stopping $name (pid $id)"
        # /T: the whole tree (npm starts node for vite).
        taskkill /PID $id /T /F | Out-Null
    }
    Remove-Item $pidFile
}
Write-Host "==> stopped"
