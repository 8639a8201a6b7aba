"""The feedback service: residents' consultations, complaints, suggestions and help requests as tickets."""
