@echo off
rem One-click start on Windows: see scripts\start.ps1 (the same steps as start.sh).
powershell -NoProfile -ExecutionPolicy Bypass -File "%~dp0start.ps1" %*
exit /b %ERRORLEVEL%
