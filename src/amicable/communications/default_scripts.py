"""The default call scripts, in English and Spanish: calm, respectful, never a threat.

Installed by a data migration (administrators edit them in the admin site) and used as
the fallback for any step that has no script in the database."""

SCRIPTS = {
    ("GREETING", "EN"): (
        "Hello, this is {agent_first_name} calling from {agency_name}. May I please speak "
        "with {consumer_first_name} {consumer_last_name}?\n\n"
        "(When they say it is them:) Thank you. To protect your privacy, I need to confirm "
        "a couple of details before we talk. Could you tell me your date of birth, and the "
        "last four digits of your Social Security number or your ZIP code?"
    ),
    ("GREETING", "ES"): (
        "Buenos días, le habla {agent_first_name} de {agency_name}. ¿Podría hablar con "
        "{consumer_first_name} {consumer_last_name}, por favor?\n\n"
        "(Si es la persona:) Gracias. Para proteger su privacidad, necesito confirmar algunos "
        "datos antes de continuar. ¿Me podría decir su fecha de nacimiento y los últimos "
        "cuatro dígitos de su número de Seguro Social o su código postal?"
    ),
    ("LIMITED_CONTENT", "EN"): (
        "Hello, this is {agent_first_name} calling for {consumer_first_name} "
        "{consumer_last_name}. Please call {agency_name} at {callback_number}. Thank you, "
        "and have a good day."
    ),
    ("LIMITED_CONTENT", "ES"): (
        "Hola, le habla {agent_first_name} y llamo para {consumer_first_name} "
        "{consumer_last_name}. Por favor llame a {agency_name} al {callback_number}. "
        "Gracias, que tenga un buen día."
    ),
    ("THIRD_PARTY", "EN"): (
        "Thank you. Could you let {consumer_first_name} know that {agent_first_name} called "
        "and ask them to call {agency_name} at {callback_number}? It is a personal business "
        "matter. Thank you for your help.\n\n(Do not say why you are calling or mention any "
        "debt.)"
    ),
    ("THIRD_PARTY", "ES"): (
        "Gracias. ¿Podría decirle a {consumer_first_name} que llamó {agent_first_name} y que "
        "por favor llame a {agency_name} al {callback_number}? Es un asunto personal. "
        "Muchas gracias por su ayuda.\n\n(No diga el motivo de la llamada ni mencione deudas.)"
    ),
    ("WRONG_NUMBER", "EN"): (
        "I'm sorry for the trouble. I'll make sure this number is removed from our records. "
        "Have a good day."
    ),
    ("WRONG_NUMBER", "ES"): (
        "Disculpe la molestia. Me aseguraré de quitar este número de nuestros registros. "
        "Que tenga un buen día."
    ),
    ("DISCLOSURE", "EN"): (
        "Thank you for confirming. I'm calling from {agency_name}. This is a communication "
        "from a debt collector. This is an attempt to collect a debt, and any information "
        "obtained will be used for that purpose. I'm calling about your account with "
        "{creditor_name}."
    ),
    ("DISCLOSURE", "ES"): (
        "Gracias por confirmar. Le llamo de {agency_name}. Esta es una comunicación de un "
        "cobrador de deudas. Se trata de un intento de cobrar una deuda y cualquier "
        "información obtenida se utilizará con ese fin. Le llamo por su cuenta con "
        "{creditor_name}."
    ),
    ("LISTEN", "EN"): (
        "I'd like to understand your situation so we can find something that works for you. "
        "Can you tell me what happened that made it hard to keep up with this account?\n\n"
        '(Listen. Acknowledge what they say: "That sounds really difficult, thank you for '
        'telling me." Then, if they agree, go through their monthly income and essential '
        "expenses together.)"
    ),
    ("LISTEN", "ES"): (
        "Me gustaría entender su situación para que encontremos algo que le funcione. "
        "¿Me puede contar qué pasó que le hizo difícil mantenerse al día con esta cuenta?\n\n"
        '(Escuche. Reconozca lo que dice: "Entiendo que ha sido difícil, gracias por '
        'contármelo." Luego, si está de acuerdo, revisen juntos sus ingresos y gastos '
        "esenciales del mes.)"
    ),
    ("OPTIONS", "EN"): (
        "Based on what you've shared, here are some options. There's no pressure to decide "
        "anything today; I want this to be a plan you can really keep. The balance is "
        "{balance}."
    ),
    ("OPTIONS", "ES"): (
        "Con lo que me ha contado, estas son algunas opciones. No tiene que decidir nada hoy; "
        "quiero que sea un plan que realmente pueda cumplir. El saldo es {balance}."
    ),
    ("CLOSING", "EN"): (
        "Thank you for your time today, {consumer_first_name}. I'll send you a written "
        "confirmation of what we agreed. If anything changes, please call us at "
        "{callback_number}."
    ),
    ("CLOSING", "ES"): (
        "Gracias por su tiempo hoy, {consumer_first_name}. Le enviaremos una confirmación por "
        "escrito de lo que acordamos. Si algo cambia, llámenos al {callback_number}."
    ),
}
