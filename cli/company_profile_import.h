#pragma once

#include <string>

#include "cli/bulk_import.h"

namespace salesops::cli {

// The company profile from a YAML file (demo load's `company-profile` section):
//   name, address (a list of lines), tax-id, email, phone, bank, footer, terms, language (en|de),
//   zone-id, logo (a PNG file, relative to the YAML file).
// Written only when it differs from the one set (counted as created, updated or unchanged).
ExitCode ImportCompanyProfile(const ImportContext& context, const std::string& path,
                              ImportCounts* counts);

}  // namespace salesops::cli
