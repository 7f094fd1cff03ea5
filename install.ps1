# Installs o11y-lab from a release on Windows (Linux and macOS: install.sh): the x64 archive, checked against the
# release's SHA256SUMS, its binary run once, then put in a directory of your own.
#
#   irm https://github.com/o11y-lab/o11y-lab/releases/latest/download/install.ps1 | iex
#
# $env:O11Y_LAB_RELEASE      where the release files are: a URL or a local directory (default: the latest release)
# $env:O11Y_LAB_INSTALL_DIR  where the binary goes (default: %LOCALAPPDATA%\o11y-lab\bin)
# In a script block of its own: run through `iex`, nothing it sets stays in your session.
& {
  $ErrorActionPreference = 'Stop'
  $Release = if ($env:O11Y_LAB_RELEASE) { $env:O11Y_LAB_RELEASE } else { 'https://github.com/o11y-lab/o11y-lab/releases/latest/download' }
  $InstallDir = if ($env:O11Y_LAB_INSTALL_DIR) { $env:O11Y_LAB_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'o11y-lab\bin' }
  # The one Windows build is x64; Windows on Arm runs it under its x64 emulation.
  $Archive = 'o11y-lab-windows-x64.zip'

  $tmp = Join-Path ([IO.Path]::GetTempPath()) ('o11y-lab-' + [Guid]::NewGuid())
  New-Item -ItemType Directory -Path $tmp | Out-Null
  try {
    function Get-ReleaseFile([string]$Name) {
      $target = Join-Path $tmp $Name
      if ($Release -match '^https?://') { Invoke-WebRequest -UseBasicParsing -Uri "$Release/$Name" -OutFile $target }
      else { Copy-Item -Path (Join-Path $Release $Name) -Destination $target }
      $target
    }
    $sums = Get-ReleaseFile 'SHA256SUMS'
    $zip = Get-ReleaseFile $Archive
    $line = Get-Content $sums | Where-Object { ($_ -split '\s+')[1] -eq $Archive } | Select-Object -First 1
    if (-not $line) { throw "SHA256SUMS in $Release has no line for $Archive" }
    $expected = ($line -split '\s+')[0].ToLowerInvariant()
    $actual = (Get-FileHash -Algorithm SHA256 -Path $zip).Hash.ToLowerInvariant()
    if ($actual -ne $expected) {
      throw "$Archive does not match SHA256SUMS (expected $expected, got $actual): nothing installed; download it again"
    }

    Expand-Archive -Path $zip -DestinationPath (Join-Path $tmp 'unpacked')
    $exe = Get-ChildItem -Path (Join-Path $tmp 'unpacked') -Recurse -Filter 'o11y-lab.exe' | Select-Object -First 1
    if (-not $exe) { throw "$Archive holds no o11y-lab.exe" }
    $version = & $exe.FullName --version
    if ($LASTEXITCODE -ne 0) { throw "the o11y-lab.exe in $Archive does not run on this machine: nothing installed" }

    New-Item -ItemType Directory -Force -Path $InstallDir | Out-Null
    Copy-Item -Path $exe.FullName -Destination (Join-Path $InstallDir 'o11y-lab.exe') -Force
    Write-Host "o11y-lab $version installed: $InstallDir\o11y-lab.exe"
    $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
    if (($userPath -split ';') -contains $InstallDir) {
      Write-Host 'Start the lab: o11y-lab up'
    } else {
      Write-Host "$InstallDir is not on your PATH. Add it, then open a new terminal:"
      Write-Host "  [Environment]::SetEnvironmentVariable('Path', '$InstallDir;' + [Environment]::GetEnvironmentVariable('Path', 'User'), 'User')"
      Write-Host "Or start the lab now: & '$InstallDir\o11y-lab.exe' up"
    }
  } finally {
    Remove-Item -Recurse -Force -Path $tmp -ErrorAction SilentlyContinue
  }
}
