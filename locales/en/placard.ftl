# Placard's built-in English texts. Staff strings with the same key override them.
# Keys with a colon (error_email:invalid) are written here with a dash (error_email-invalid).

label_email = Email
label_first_name = First name
label_last_name = Last name
label_address1 = Street address
label_city = City
label_state = State
label_zip = ZIP code
label_postal = Postal code
label_country = Country
label_phone = Phone
label_comment = Your message
label_amount = Amount
label_amount_other = Other amount
label_card_num = Card number
label_card_code = Security code
submit_petition = Sign the petition
submit_signup = Sign up
submit_letter = Send the letter
submit_donation = Donate
submit_unsubscribe = Unsubscribe
required_marker_text = required
errors_heading = Please correct the following
thanks_heading = Thank you!
powered_by = Powered by Placard
home_heading = Take action
home_intro = Choose a campaign below.
open_page = Open
privacy_choice_legend = Your choice

error_default = We could not process this field.
error_email-invalid = E-mail address is invalid.
error_email-missing = Please enter your e-mail address.
error_missing = This field is required.
error_zip-invalid = ZIP Code is invalid.
error_plus4-invalid = ZIP+4 extension is invalid.
error_privacy-missing = We need more information to process your data.
error_privacy-invalid = This privacy choice is not recognized.
error_page-missing = A page name is required.
error_not_allowed = This is not an allowed user field.
error_too_long = This value is too long.
