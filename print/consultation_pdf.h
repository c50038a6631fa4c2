#pragma once

// A cross-province consultation (跨省转移商请) as an A4 PDF, its letters
// as the two bureaus exchange them (docs/CONSULTATION.md): the
// application, then each step, and the consultation letter (商请函), the
// reply (复函) and the decision each on a page of its own, to print and
// file as the letters they stand for.

#include <string>

#include "absl/status/status.h"

#include "cradle/v1/consultation.pb.h"

namespace cradle::print {

// Registered names of the two parties, for the letters; the USCC stands in
// for one not given.
struct ConsultationParties {
  std::string generator_name;
  std::string receiver_name;
};

// Writes `c` to a PDF at `path`. Fails naming the file.
absl::Status WriteConsultationPdf(const v1::Consultation& c,
                                  const ConsultationParties& names,
                                  const std::string& path);

}  // namespace cradle::print
